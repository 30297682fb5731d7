"""DeBERTa-v2/v3 disentangled attention without the wasted work, the same numbers.

The transformers implementation scores every query against all ``2 * position_buckets``
relative-position embeddings (512 for DeBERTa-v3), copies the projected position table once
per batch item (``repeat``), and then picks the ``T x T`` entries it needs with a gather over
a fully expanded index. For the short pairs this tool scores (T of 30-160 tokens) that is
most of the attention time, and on two CPU cores about a third of the whole forward pass.

A pair's relative-position term depends only on the distance ``d = q - k`` between query and
key. So this forward gathers the ``2T - 1`` position embeddings that distances in ``[-(T-1),
T-1]`` map to (through the model's own log buckets), scores queries (and keys) against those
alone, and turns the ``(T, 2T-1)`` scores into the ``(T, T)`` term with a strided "skew" (flatten,
slice, reshape; no gather). Padding is masked by key (a (B, 1, 1, T) mask instead of the (B, 1, T, T)
one), which gives real tokens exactly the values of the original masked softmax.

Only the forward pass used for scoring is replaced, on the instances of one loaded model
(:func:`speed_up`); ``output_attentions``, ``query_states`` and unusual configs fall back to
the original method. Tests check the logits against the original within 1e-5.
"""

from __future__ import annotations

import logging
import math
import types
from typing import Any

log = logging.getLogger(__name__)


def supports(config: Any) -> bool:
    """Whether :func:`speed_up` handles this config (DeBERTa-v2 with relative attention, no conv)."""
    pos = set(getattr(config, "pos_att_type", None) or [])
    return (
        getattr(config, "model_type", None) == "deberta-v2"
        and bool(getattr(config, "relative_attention", False))
        and pos <= {"c2p", "p2c"}
        and not getattr(config, "conv_kernel_size", 0)
    )


def speed_up(network: Any, *, fuse: bool = True) -> bool:
    """Swap the attention forward of every DeBERTa-v2 self-attention module; say whether it did.

    ``fuse``: compute query, key and value with one fused matrix (a copy of the three weights
    taken now; for scoring). Training passes ``fuse=False`` so that the forward calls the
    ``query_proj``/``key_proj``/``value_proj`` modules themselves: their weights (or adapters
    wrapped around them) then receive gradients and a change to them takes effect."""
    config = getattr(network, "config", None)
    if config is None or not supports(config):
        return False
    count = 0
    for module in network.modules():
        if type(module).__name__ == "DisentangledSelfAttention" and not hasattr(module, "_contradict_original_forward"):
            if fuse:
                _fuse_projections(module)
            module._contradict_original_forward = module.forward
            module.forward = types.MethodType(_forward, module)
            count += 1
    if count:
        log.debug("attention: distance-indexed relative attention in %d layers", count)
    return count > 0


def _fuse_projections(module: Any) -> None:
    """One (H, 3H) projection for query, key and value: one matrix product instead of three
    (stored as ``x @ W`` takes it, so an ONNX export sees a plain weight MatMul).
    Kept as non-persistent buffers, so ``.to(device, dtype)`` moves them and checkpoints omit them."""
    import torch  # noqa: PLC0415

    with torch.no_grad():
        parts = (module.query_proj, module.key_proj, module.value_proj)
        module.register_buffer("_qkv_weight", torch.cat([p.weight for p in parts], 0).t().contiguous(), persistent=False)
        module.register_buffer("_qkv_bias", torch.cat([p.bias for p in parts], 0).clone(), persistent=False)


def distance_index(length: int, buckets: int, max_position: int, span: int, device: Any) -> Any:
    """For distances ``d = -(length-1) .. length-1`` (in that order), the row of the relative
    embedding table that transformers uses: ``clamp(bucket(d) + span, 0, 2*span - 1)``."""
    import torch  # noqa: PLC0415

    d = torch.arange(-(length - 1), length, dtype=torch.long, device=device)
    if buckets > 0 and max_position > 0:
        from transformers.models.deberta_v2.modeling_deberta_v2 import make_log_bucket_position  # noqa: PLC0415

        d = make_log_bucket_position(d, buckets, max_position).to(torch.long)
    return torch.clamp(d + span, 0, 2 * span - 1)


def skew(scores: Any, length: int) -> Any:
    """``out[..., i, k] = scores[..., i, length - 1 - i + k]`` for scores of shape (..., T, 2T-1):
    row ``i`` is a window that starts one place further left than row ``i - 1``, so the windows
    are read from the flattened scores at a stride of ``2T - 2`` (views and one copy)."""
    if length == 1:  # one token: the single distance 0 (a tokenized pair always has 3 or more)
        return scores
    lead = scores.shape[:-2]
    flat = scores.reshape(*lead, length * (2 * length - 1))
    window = flat[..., length - 1 : length - 1 + length * (2 * length - 2)]
    return window.reshape(*lead, length, 2 * length - 2)[..., :length]


def _forward(
    self: Any,
    hidden_states: Any,
    attention_mask: Any,
    output_attentions: bool = False,
    query_states: Any = None,
    relative_pos: Any = None,
    rel_embeddings: Any = None,
) -> tuple[Any, Any]:
    if output_attentions or query_states is not None or attention_mask.dim() != 4:
        return self._contradict_original_forward(
            hidden_states, attention_mask, output_attentions=output_attentions,
            query_states=query_states, relative_pos=relative_pos, rel_embeddings=rel_embeddings,
        )
    import torch  # noqa: PLC0415

    batch, length, _ = hidden_states.shape
    heads = self.num_attention_heads

    def split(x: Any) -> Any:  # (B, T, H) -> (B, heads, T, d)
        return x.view(x.shape[0], x.shape[1], heads, -1).transpose(1, 2)

    if hasattr(self, "_qkv_weight"):
        width = self._qkv_bias.shape[0] // 3
        fused = torch.matmul(hidden_states, self._qkv_weight) + self._qkv_bias
        query, key, value = (split(x) for x in fused.split(width, dim=-1))
    else:
        query, key, value = (split(proj(hidden_states)) for proj in (self.query_proj, self.key_proj, self.value_proj))
    factor = 1 + ("c2p" in self.pos_att_type) + ("p2c" in self.pos_att_type)
    scale = math.sqrt(query.shape[-1] * factor)
    query = query * (1.0 / scale)  # every term of the scores is divided by the same scale
    scores = torch.matmul(query, key.transpose(-1, -2))

    if self.relative_attention and self.pos_att_type:
        span = self.pos_ebd_size
        table = self.pos_dropout(rel_embeddings)[: span * 2]
        index = distance_index(length, self.position_buckets, self.max_relative_positions, span, hidden_states.device)
        rows = table.index_select(0, index).unsqueeze(0)  # (1, 2T-1, H): one row per distance
        if "c2p" in self.pos_att_type:
            pos_key = split(self.key_proj(rows) if self.share_att_key else self.pos_key_proj(rows))
            # distances in reverse order, so the skew lines up q - k
            c2p = torch.matmul(query, pos_key.flip(-2).transpose(-1, -2))
            scores = scores + skew(c2p, length)
        if "p2c" in self.pos_att_type:
            pos_query = split(self.query_proj(rows) if self.share_att_key else self.pos_query_proj(rows)) * (1.0 / scale)
            p2c = torch.matmul(key, pos_query.transpose(-1, -2))
            scores = scores + skew(p2c, length).transpose(-1, -2)

    # Keys a query may attend to: padding is masked by key; a row of all-padding queries keeps
    # real keys (its output is never read by a real token).
    keys = attention_mask.to(torch.bool).any(dim=-2, keepdim=True)  # (B, 1, 1, T)
    scores = scores.masked_fill(~keys, torch.finfo(scores.dtype).min)
    probs = self.dropout(torch.softmax(scores, dim=-1))
    context = torch.matmul(probs, value).transpose(1, 2).reshape(batch, length, -1)
    return (context, None)
