"""Answers stay true to their evidence: the grounding check, and the sample's own facts."""

import pytest

from folioscope.answer.grounding import check, names
from folioscope.embed import shared_embedder
from folioscope.llm import answer_llm

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


@pytest.mark.slow
@pytest.mark.parametrize("question, fact", SAMPLE_FACTS)
def test_the_shown_answer_holds_the_samples_own_fact(sample, question, fact):
    from folioscope.answer.ask import ask
    store, doc = sample
    answer = ask(store, question, {doc}, llm=answer_llm(), encoder=shared_embedder()).answer
    assert answer.found and fact in answer.text.lower(), (answer.text, answer.generated, answer.support_note)
    assert answer.extractive.startswith(" ".join(answer.evidence[0].text.split()))
    if answer.text != answer.extractive:  # the model's wording is shown only when supported
        assert answer.supported and check(answer.text, [answer.evidence[i].text for i in answer.citations.values()]).supported


@pytest.mark.slow
def test_a_prompt_after_one_with_the_same_system_prompt_keeps_the_context_and_its_answer():
    """With the system prompt's state cached: after a prompt with another system prompt the
    saved state is restored; after one with the same system prompt the context is kept as it
    stands (more of the prompt reused: the evidence too), and the answers are the same."""
    from folioscope.answer.ask import build_messages
    from folioscope.core.segments import Evidence
    from folioscope.llm import answer_llm
    llm = answer_llm()
    evidence = [Evidence(doc_id=1, start=0, end=70, score=1.0, page=1,
                         text="Oil lamps with polished reflectors replaced open fires in lighthouses.")]
    questions = ["What replaced open fires in lighthouses?", "What did the reflectors polish?"]
    other = [{"role": "system", "content": "You name chapters."}, {"role": "user", "content": "Lamps and lenses"}]

    def restored(question):
        llm.stream(other, max_tokens=8, cache_prefix=True)
        return llm.stream(build_messages(question, evidence), max_tokens=24, cache_prefix=True)

    after_other = [restored(q) for q in questions]
    kept = [llm.stream(build_messages(q, evidence), max_tokens=24, cache_prefix=True) for q in questions]
    assert [g.text for g in kept] == [g.text for g in after_other]
    assert 0 < after_other[0].reused_tokens == after_other[1].reused_tokens < kept[1].reused_tokens
    assert kept[1].reused_tokens < kept[1].prompt_tokens


@pytest.mark.slow
def test_the_sentence_over_the_samples_page_break_is_whole_in_ask_json_and_boxed_on_both_pages(sample, capsys):
    """"A Fresnel lens gathers most of the light of a | lamp into a beam": the paragraph runs
    from page 1 onto page 2, and the evidence is the whole sentence with boxes on both."""
    import json

    from folioscope.cli import main
    store, doc = sample
    assert main(["--library", str(store.folder), "ask", "How much of the light does a Fresnel lens gather?",
                 "--json"]) == 0
    reply = json.loads(capsys.readouterr().out)
    [fresnel] = [e for e in reply["evidence"] if "Fresnel lens gathers" in e["text"]]
    assert fresnel["text"].endswith("compared with a solid lens of the same power.")
    assert {b["page"] for b in fresnel["boxes"]} == {1, 2} and fresnel["page"] == 1
    assert reply["tokens"]["evidence_read"] > 0 and reply["tokens"]["context_shown"] >= reply["tokens"]["evidence_read"]


@pytest.mark.slow
def test_what_the_model_reads_holds_each_evidence_sentence(sample):
    from folioscope.answer.ask import model_reads
    from folioscope.retrieve import retrieve
    store, doc = sample
    found = retrieve(store, "What replaced open fires in lighthouses?", {doc}, encoder=shared_embedder())
    passages = [(c.hit.doc_id, c.start, c.end, c.tokens) for c in found.kept]
    sentences = model_reads(store, found.evidence, "sentences")
    for reads in ("neighbours", "passages"):
        texts = model_reads(store, found.evidence, reads, passages)
        assert len(texts) == len(found.evidence)
        assert all(e.text in t for e, t in zip(found.evidence, texts))
        assert sum(map(len, texts)) > sum(map(len, sentences))
