"""Tiny randomly initialised BERT models and a WordPiece tokenizer, built from configs with no network.

Used by test_export_hf.py and by make_fixtures.py, which writes the bundles the Java tests check.
"""
from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = """the a an and or of to in on at for with is are was were be you your we our it this that
have has won free prize claim reply now meeting moved pm tomorrow agenda attached bank raised interest rates
again sat river watched boats great deal limited time only click here urgent verify account or will closed
long message tokenizer must truncate maximum length hi anna congratulations cruise tabs newlines multiple
spaces quotes dashes eur http example com login id""".split()
CHARACTERS = list("abcdefghijklmnopqrstuvwxyz0123456789.,;:!?'\"-()/=&%$@#*+") + list("東京で会いましょう天気はどうですか")
MAX_LENGTH = 64


def vocabulary():
    tokens = SPECIAL + WORDS + CHARACTERS + ["##" + c for c in CHARACTERS if c.isalnum()]
    seen, out = set(), []
    for t in tokens:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return {t: i for i, t in enumerate(out)}


def save_tokenizer(directory: Path, input_names=("input_ids", "token_type_ids", "attention_mask")):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = vocabulary()
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=True, handle_chinese_chars=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    tok.decoder = decoders.WordPiece()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]", model_max_length=MAX_LENGTH,
                                   model_input_names=list(input_names))
    fast.save_pretrained(str(directory))
    return len(vocab)


def save_bert(directory: Path, with_head: bool, seed: int = 7, trained_like: bool = False):
    """A 2-layer, hidden-32 BERT; with a 3-class sequence-classification head when with_head.

    trained_like: biases and LayerNorm parameters drawn at random too, as in a trained model, instead of BERT's
    initial zeros and ones (which the ONNX exporter folds into shared constants, unlike a real model's weights).
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertModel

    directory.mkdir(parents=True, exist_ok=True)
    vocab_size = save_tokenizer(directory)
    config = BertConfig(vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=MAX_LENGTH, type_vocab_size=2,
                        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                        # Wider than BERT's 0.02, so that outputs vary from text to text and a changed weight shows.
                        initializer_range=0.2)
    torch.manual_seed(seed)
    if with_head:
        config.num_labels = 3
        config.id2label = {0: "negative", 1: "neutral", 2: "positive"}
        config.label2id = {v: k for k, v in config.id2label.items()}
        model = BertForSequenceClassification(config)
    else:
        model = BertModel(config)
    if trained_like:
        with torch.no_grad():
            for name, p in model.named_parameters():
                if name.endswith("bias") or "LayerNorm" in name:
                    p.add_(torch.randn_like(p) * 0.1)
    model.save_pretrained(str(directory))
    return directory


# Small configs per architecture that export_hf.py names; sizes kept tiny so each export takes about a second.
ARCHITECTURES = {
    "bert": dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64),
    "distilbert": dict(dim=32, n_layers=2, n_heads=4, hidden_dim=64),
    "roberta": dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                    pad_token_id=0, bos_token_id=2, eos_token_id=3),
    "xlm-roberta": dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                        pad_token_id=0, bos_token_id=2, eos_token_id=3),
    "deberta-v2": dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                       type_vocab_size=0, relative_attention=True, position_buckets=16, max_relative_positions=64,
                       pos_att_type=["p2c", "c2p"]),
    "modernbert": dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                       pad_token_id=0, bos_token_id=2, eos_token_id=3, cls_token_id=2, sep_token_id=3,
                       global_attn_every_n_layers=2, local_attention=16),
}
# Architectures whose tokenizers feed no token_type_ids.
WITHOUT_TOKEN_TYPES = {"distilbert", "roberta", "xlm-roberta", "modernbert"}


def save_architecture(directory: Path, model_type: str, seed: int = 11):
    """A tiny randomly initialised <model_type>ForSequenceClassification with 2 labels, and the tiny tokenizer."""
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification

    directory.mkdir(parents=True, exist_ok=True)
    names = ("input_ids", "attention_mask") if model_type in WITHOUT_TOKEN_TYPES else \
        ("input_ids", "token_type_ids", "attention_mask")
    vocab_size = save_tokenizer(directory, names)
    positions = MAX_LENGTH + 2 if model_type in ("roberta", "xlm-roberta") else MAX_LENGTH
    config = AutoConfig.for_model(model_type, vocab_size=vocab_size, num_labels=2,
                                  id2label={0: "no", 1: "yes"}, label2id={"no": 0, "yes": 1},
                                  max_position_embeddings=positions, **ARCHITECTURES[model_type])
    torch.manual_seed(seed)
    model = AutoModelForSequenceClassification.from_config(config)
    model.save_pretrained(str(directory))
    return directory
