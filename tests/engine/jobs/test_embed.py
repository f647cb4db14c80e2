"""/embed: 2-10 sentences compared by meaning."""

import pytest

from engine.commands.parsing import parse
from engine.domain.errors import BadInput
from engine.domain.replies import no_progress
from engine.jobs import embed

LINE = (
    "/embed A cat sleeps on the sofa | A kitten naps on the couch | Stocks fell sharply today"
    " | Share prices dropped at the close | How do I reset my password?"
)


def test_paraphrases_are_named_closest_and_the_picture_is_stable():
    reply = embed.run(parse(LINE), no_progress)
    assert reply.facts["most_similar"][:2] in ([1, 2], [3, 4])
    similarity = reply.facts["similarity"]
    assert len(similarity) == 5 and all(abs(similarity[i][i] - 1) < 1e-4 for i in range(5))
    assert "Closest: S" in reply.text
    assert reply.images[0].data == embed.run(parse(LINE), no_progress).images[0].data


@pytest.mark.parametrize(
    ("text", "found"),
    [("just one sentence", 1), ("a | | ", 1), (" | ".join(["s"] * 11), 11), ("| |", 0)],
)
def test_wrong_number_of_sentences_is_explained(text, found):
    with pytest.raises(BadInput, match=f"I found {found}"):
        embed.run(parse(f"/embed {text}"), no_progress)


def test_sentences_of_unknown_characters_are_flagged():
    reply = embed.run(parse("/embed 👍👍 | A happy thumbs up"), no_progress)
    assert "S1: MiniLM knows none of those characters" in reply.text
    reply = embed.run(parse("/embed " + " | ".join(["👍" * 300] * 10)), no_progress)
    assert len(reply.facts["sentences"]) == 10


def test_the_first_sentence_ranks_the_others_like_a_search_query():
    reply = embed.run(parse("/embed When do refunds arrive? | We open at 9 am | "
                            "Refunds take 5 days | Free delivery over $50"), no_progress)
    ranking, first = reply.facts["ranking"], reply.facts["similarity"][0]
    assert ranking[0] == 3 and sorted(ranking) == [2, 3, 4]
    assert [first[n - 1] for n in ranking] == sorted(first[1:], reverse=True)
    assert "With S1 as the search query, a retriever would rank: S3" in reply.text


def test_the_note_says_word_order_barely_changes_an_averaged_vector():
    reply = embed.run(parse("/embed The dog bit the man | The man bit the dog | "
                            "A dog attacked a person"), no_progress)
    assert reply.facts["most_similar"][:2] == [1, 2] and reply.facts["most_similar"][2] > 0.95
    assert "word order barely changes it" in reply.text
    assert "not shared words" not in reply.text
