"""Writes nn_names.txt: the parameter names, shapes, dtypes and trainability that Python
MLX gives each model of mlxrs/tests/it/nn.rs's `names_and_shapes_match_python`.

Run from this folder with Python MLX 0.32.2: `python3 nn_names.py > nn_names.txt`.
"""

import mlx.core as mx
import mlx.nn as nn
from mlx.utils import tree_flatten


def models():
    yield "linear", nn.Linear(5, 3)
    yield "linear_nobias", nn.Linear(5, 3, bias=False)
    yield "identity", nn.Identity()
    yield "embedding", nn.Embedding(10, 4)
    yield "conv1d", nn.Conv1d(4, 6, 3)
    yield "conv1d_groups", nn.Conv1d(4, 6, 3, groups=2, bias=False)
    yield "conv2d", nn.Conv2d(3, 4, (3, 2))
    yield "maxpool2d", nn.MaxPool2d(2)
    yield "layernorm", nn.LayerNorm(6)
    yield "layernorm_nobias", nn.LayerNorm(6, bias=False)
    yield "layernorm_noaffine", nn.LayerNorm(6, affine=False)
    yield "rmsnorm", nn.RMSNorm(8)
    yield "batchnorm", nn.BatchNorm(4)
    yield "batchnorm_notrack", nn.BatchNorm(4, track_running_stats=False)
    yield "batchnorm_noaffine", nn.BatchNorm(4, affine=False)
    yield "dropout", nn.Dropout(0.5)
    yield "mha", nn.MultiHeadAttention(8, 2)
    yield "mha_dims", nn.MultiHeadAttention(
        8, 2, query_input_dims=6, key_input_dims=5, value_dims=4, value_output_dims=3, bias=True
    )
    yield "encoder_layer", nn.TransformerEncoderLayer(8, 2)
    yield "encoder", nn.TransformerEncoder(2, 8, 2, mlp_dims=16)
    yield "mlp", nn.Sequential(
        nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2)
    )
    yield "qlinear", nn.QuantizedLinear(64, 8)
    yield "qembedding", nn.QuantizedEmbedding(16, 64, group_size=32, bits=8)
    m = nn.Sequential(nn.Embedding(16, 64), nn.Linear(64, 32), nn.Linear(32, 8))
    nn.quantize(m, group_size=32, bits=4)
    yield "quantized_seq", m


for case, model in models():
    trainable = {k for k, _ in tree_flatten(model.trainable_parameters())}
    params = tree_flatten(model.parameters())
    if not params:
        print(f"{case}\t-")
    for name, a in params:
        shape = ",".join(str(d) for d in a.shape)
        print(f"{case}\t{name}\t{shape}\t{a.dtype}\t{name in trainable}")
