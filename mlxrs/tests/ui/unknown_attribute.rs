use mlxrs::nn::Module;

#[derive(Module)]
struct Model {
    #[module(ignore)]
    weight: mlxrs::Array,
}

fn main() {}
