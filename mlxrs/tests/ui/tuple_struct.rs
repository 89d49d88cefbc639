use mlxrs::nn::Module;

#[derive(Module)]
struct Model(mlxrs::nn::Linear);

fn main() {}
