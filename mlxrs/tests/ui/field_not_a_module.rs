use mlxrs::nn::Module;

struct Tokenizer;

#[derive(Module)]
struct Model {
    weight: mlxrs::Array,
    tokenizer: Tokenizer,
}

fn main() {}
