"""Normalisation: how informal Indonesian is brought to the content's vocabulary."""

from __future__ import annotations

from bot.matching.normalise import Normaliser, Rules, split_words

RULES = Rules.build(
    replacements={"yg": "yang", "brp": "berapa", "bumil": "ibu hamil", "di mana": "dimana", "seribu": "1000"},
    fillers=["sih", "dong", "kak", "min"],
    contractions={"Program Keluarga Harapan": "PKH", "1000 Hari Pertama Kehidupan": "1000 HPK"},
    protected=["gaji"],
)
VOCABULARY = ["pendamping", "tanoto", "foundation", "berapa", "pkh", "stunting", "gaji", "bagi", "lembang"]


def normalise(text: str, correct: bool = True) -> tuple[str, ...]:
    return Normaliser(RULES, VOCABULARY).tokens(text, correct_typos=correct)


def test_case_accents_punctuation_and_emoji_are_ignored():
    assert split_words("Brp PENDAMPING?!! 🙏🏽 café") == ["brp", "pendamping", "cafe"]


def test_control_characters_and_fullwidth_letters_split_words():
    assert split_words("pkh\x00\x1bstunting\u200b ＰＫＨ") == ["pkh", "stunting", "pkh"]


def test_reduplication_with_2_becomes_two_words():
    assert normalise("anak2 balita", correct=False) == ("anak", "anak", "balita")


def test_number_glued_to_word_is_split():
    assert normalise("sasaran 1000hpk", correct=False) == ("sasaran", "1000", "hpk")


def test_slang_is_expanded_and_fillers_dropped_but_question_words_kept():
    assert normalise("brp sih bumil yg dilatih kak") == ("berapa", "ibu", "hamil", "yang", "dilatih")


def test_multi_word_lexicon_phrase():
    assert normalise("di mana diklatnya", correct=False)[0] == "dimana"


def test_glossary_expansion_contracts_to_the_acronym():
    assert normalise("tujuan program keluarga harapan") == ("tujuan", "pkh")
    assert normalise("seribu hari pertama kehidupan") == ("1000", "hpk")


def test_repeated_letters_collapse_to_a_known_word():
    assert normalise("berapaaaa pendampiiing") == ("berapa", "pendamping")


def test_typos_are_corrected_against_the_vocabulary():
    assert normalise("pndamping tanoto fondation") == ("pendamping", "tanoto", "foundation")


def test_typo_correction_leaves_protected_short_and_unrelated_words_alone():
    assert normalise("gaji pkj jadwal") == ("gaji", "pkj", "jadwal")


def test_correction_only_when_asked():
    assert normalise("pndamping", correct=False) == ("pndamping",)


def test_empty_and_symbol_only_input_gives_no_tokens():
    assert normalise("") == ()
    assert normalise("   ?!… 🙏") == ()
    assert normalise("sih dong kak") == ()


def test_particles_and_possessive_are_stripped_when_the_rest_is_known():
    assert normalise("berapakah pendampingnya", correct=False) == ("berapa", "pendamping")
    assert normalise("tanyanya", correct=False) == ("tanyanya",)  # 'tanya' is not a known word here


def test_terminal_colour_codes_are_not_words():
    assert split_words("\x1b[31mpkh\x1b[0m apa") == ["pkh", "apa"]


def test_a_phrase_whose_replacement_forms_another_phrase_reaches_the_contents_form():
    # "family hope programme" -> "program keluarga harapan", which the glossary contracts to "pkh"
    rules = Rules.build(
        replacements={"family hope programme": "program keluarga harapan"},
        fillers=[],
        contractions={"program keluarga harapan": "pkh"},
    )
    tokens = Normaliser(rules).tokens
    assert tokens("who runs the family hope programme") == tokens("who runs the pkh") == ("who", "runs", "the", "pkh")


def test_the_passive_of_a_listed_regional_verb_is_the_passive_of_its_mapping():
    # the lexicon lists Sundanese "tugaskeun" (tugaskan); people also write it passive, "ditugaskeun"
    rules = Rules.build(replacements={"tugaskeun": "tugaskan", "pasihkeun": "berikan"}, fillers=[], contractions={})
    tokens = Normaliser(rules).tokens
    assert tokens("saha nu ditugaskeun") == ("saha", "nu", "ditugaskan")
    assert tokens("naon nu dipasihkeun") == ("naon", "nu", "diberikan")
    assert tokens("dinas sosial") == ("dinas", "sosial")  # "nas" is nothing listed: a word of its own
