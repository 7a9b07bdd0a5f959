"""The hf backend on a tiny transformers model built here (random weights, no download)."""

import pytest
from langchain_core.messages import HumanMessage

from bow.errors import ModelSetupError
from bow.models.gateway import Gateway

transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

CHAT_TEMPLATE = "{% for m in messages %}<{{ m['role'] }}> {{ m['content'] }} {% endfor %}<assistant>"


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    words = ["<pad>", "<eos>", "<unk>", "<user>", "<assistant>", "<system>", "who", "are", "you", "i", "am", "hero"]
    vocab = {w: i for i, w in enumerate(words)}
    backend = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    config = transformers.LlamaConfig(
        vocab_size=len(words),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=1,
    )
    model = transformers.LlamaForCausalLM(config)
    path = tmp_path_factory.mktemp("tiny-llama")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_hf_backend_generates_from_a_local_directory(tiny_model_dir):
    gateway = Gateway(f"hf:{tiny_model_dir}", params={"max_tokens": 4})
    reply = gateway.generate([HumanMessage("who are you")])
    assert isinstance(reply.text, str)
    assert reply.usage.input_tokens > 3 and 1 <= reply.usage.output_tokens <= 4


def test_hf_backend_rejects_a_directory_without_a_model(tmp_path):
    gateway = Gateway(f"hf:{tmp_path}")
    with pytest.raises(ModelSetupError) as info:
        gateway.generate([HumanMessage("hi")])
    assert "not a transformers model directory" in str(info.value)
