from langchain_core.messages import AIMessage

from bow.models.reasoning import extract_reply, split_think_tags


def test_think_block_is_split_from_the_reply():
    assert split_think_tags("<think>plan it</think>I will save them.") == ("I will save them.", "plan it")


def test_closing_tag_without_opening_means_reasoning_came_first():
    assert split_think_tags("weigh both sides</think>\nChoice A.") == ("Choice A.", "weigh both sides")


def test_unclosed_think_means_no_visible_reply():
    assert split_think_tags("<think>still thinking when tokens ran out") == ("", "still thinking when tokens ran out")


def test_plain_text_has_no_reasoning():
    assert split_think_tags("Just an answer.") == ("Just an answer.", None)


def test_reasoning_content_field_is_read():
    message = AIMessage(content="B", additional_kwargs={"reasoning_content": "the city first"})
    assert extract_reply(message) == ("B", "the city first")


def test_anthropic_thinking_blocks_are_read():
    message = AIMessage(content=[{"type": "thinking", "thinking": "duty vs love"}, {"type": "text", "text": "A"}])
    assert extract_reply(message) == ("A", "duty vs love")
