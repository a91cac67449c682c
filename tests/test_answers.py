"""Answers stay true to their evidence: the grounding check, and the sample's own facts."""

import pytest

from folioscope.answer.grounding import check, names

EVIDENCE = ["The great step came in 1822, when the French physicist Augustin Fresnel presented a lens "
            "built from concentric rings of glass prisms."]


def test_a_number_the_evidence_lacks_is_unsupported():
    support = check("Fresnel presented the lens in 1823 [1].", EVIDENCE)
    assert not support.supported and support.missing_numbers == ["1823"]
    assert check("Fresnel presented the lens in 1822 [1].", EVIDENCE).supported


def test_a_name_the_evidence_lacks_is_unsupported():
    support = check("The lens was presented by Isaac Newton.", EVIDENCE)
    assert not support.supported and {"Isaac", "Newton"} <= set(support.missing_names)


def test_words_mostly_absent_are_unsupported_and_citations_are_ignored():
    assert not check("Lighthouse keepers polished brass every morning [1].", EVIDENCE).supported
    assert check("A lens of concentric glass prisms [1]", EVIDENCE).supported
    assert not check("", EVIDENCE).supported


def test_names_skip_the_first_word_of_a_sentence():
    assert names("The lens came from Fresnel. Oil lamps came first.") == ["Fresnel"]


SAMPLE_FACTS = [
    ("What replaced open fires in lighthouses?", "oil lamps"),
    ("When did Fresnel present his lens?", "1822"),
    ("Who presented a lens built from concentric rings of glass prisms?", "fresnel"),
    ("How many keepers worked together on rock stations?", "three"),
    ("When did the last keepers leave their towers?", "1980s"),
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from folioscope.index import Store
    from folioscope.models import sample_document
    from folioscope.pipeline import ingest_paths
    store = Store(tmp_path_factory.mktemp("sample"))
    [result] = list(ingest_paths(store, [sample_document()]))
    assert result.ok, result.message
    yield store, result.doc_id
    store.close()


@pytest.mark.slow
@pytest.mark.parametrize("question, fact", SAMPLE_FACTS)
def test_the_shown_answer_holds_the_samples_own_fact(sample, question, fact):
    from folioscope.answer.ask import ask
    store, doc = sample
    answer = ask(store, question, {doc}).answer
    assert answer.found and fact in answer.text.lower(), (answer.text, answer.generated, answer.support_note)
    assert answer.extractive.startswith(" ".join(answer.evidence[0].text.split()))
    if answer.text != answer.extractive:  # the model's wording is shown only when supported
        assert answer.supported and check(answer.text, [answer.evidence[i].text for i in answer.citations.values()]).supported
