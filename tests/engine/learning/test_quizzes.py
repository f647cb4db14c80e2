"""How questions and verdicts read: options named as their buttons show them."""

from datetime import UTC, datetime

from engine.domain.records import Attempt
from engine.domain.replies import no_progress
from engine.jobs import reveal
from engine.learning.curriculum import default_curriculum
from engine.learning.quizzes import answer_buttons, option_label, verdict_message
from engine.plots.daily import answers_chart

CUR = default_curriculum()


def attempt(question, choice):
    return Attempt(1, question.id, question.concept, choice, choice == question.answer,
                   datetime(2025, 3, 31, tzinfo=UTC))


def test_true_false_verdicts_name_the_answer_as_the_unlettered_buttons_show_it():
    question = CUR.question("ai-04")  # true/false, answer False
    assert question.kind == "true_false" and question.answer_text == "False"
    assert [b.label for b in answer_buttons(question, 1)] == ["True", "False"]
    wrong = verdict_message(question, attempt(question, 0), CUR, repeat=False, xp=None)
    assert "You chose True; the answer is **False**." in wrong
    assert "B." not in wrong and "A." not in wrong
    right = verdict_message(question, attempt(question, 1), CUR, repeat=False, xp=None)
    assert right.startswith("✅ **Right!** False")
    again = verdict_message(question, attempt(question, 0), CUR, repeat=True, xp=None)
    assert "You already answered this one (True)" in again


def test_choice_verdicts_keep_the_letters_their_buttons_carry():
    question = CUR.question("ai-01")
    assert option_label(question, 2) == "C. A chat assistant drafting a reply to a customer"
    assert [b.label for b in answer_buttons(question, 1)] == ["A", "B", "C", "D"]  # the
    # letters only: the full options are in the message, a long one never cut on a button
    wrong = verdict_message(question, attempt(question, 0), CUR, repeat=False, xp=None)
    assert "You chose A; the answer is **C. A chat assistant" in wrong



def test_the_reveal_names_true_false_options_as_their_buttons_do():
    question = CUR.question("ai-04")
    image = reveal.run(question, [3, 5], no_progress)
    assert image.alt == "How the channel answered: True: 3, False: 5"
    unlettered = answers_chart(question.options, [3, 5], 1, question.prompt, lettered=False)
    assert image.data == unlettered
    assert image.data != answers_chart(question.options, [3, 5], 1, question.prompt)
