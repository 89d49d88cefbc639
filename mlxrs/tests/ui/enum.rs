use mlxrs::nn::Module;

#[derive(Module)]
enum Model {
    Small(mlxrs::nn::Linear),
}

fn main() {}
