/* tests/road/test_phrases.c -- the turn-by-turn sentences (geo/road/phrases.c) against sentences
 * written out by hand, Czech and English, one row per maneuver. */
#include "road/phrases.h"
#include "testutil.h"

#include <check.h>
#include <string.h>

static const struct {
    const char *type, *modifier;
    int exit;
    const char *name, *ref, *cs, *en;
} cases[] = {
    {"roundabout", "right", 3, "Hradecká", NULL,
     "Na kruhovém objezdu vyjeďte třetím výjezdem na ulici Hradecká",
     "At the roundabout take the third exit onto Hradecká"},
    {"turn", "right", 0, "Husova", NULL, "Odbočte vpravo na ulici Husova",
     "Turn right onto Husova"},
    {"turn", "sharp left", 0, "Ječná", NULL, "Odbočte ostře vlevo na ulici Ječná",
     "Turn sharp left onto Ječná"},
    {"turn", "slight right", 0, "", "I/35", "Odbočte mírně vpravo na silnici I/35",
     "Turn slightly right onto I/35"},
    {"turn", "straight", 0, "Žitná", NULL, "Pokračujte rovně na ulici Žitná",
     "Continue straight onto Žitná"},
    {"turn", "uturn", 0, "Legerova", NULL, "Otočte se na ulici Legerova",
     "Make a U-turn onto Legerova"},
    {"turn", NULL, 0, NULL, NULL, "Odbočte", "Turn"},
    {"turn", "sideways", 0, "Resslova", NULL, "Odbočte na ulici Resslova", "Turn onto Resslova"},
    {"depart", NULL, 0, "Václavské náměstí", NULL, "Vyjeďte po ulici Václavské náměstí",
     "Head out on Václavské náměstí"},
    {"depart", NULL, 0, NULL, NULL, "Vyjeďte", "Head out"},
    {"arrive", NULL, 0, "Husova", NULL, "Jste v cíli", "You have arrived"},
    {"arrive", "left", 0, NULL, NULL, "Cíl je vlevo", "Your destination is on the left"},
    {"new name", "straight", 0, "Sokolská", "", "Pokračujte na ulici Sokolská",
     "Continue onto Sokolská"},
    {"continue", "left", 0, "Legerova", "D1", "Pokračujte vlevo na ulici Legerova (D1)",
     "Continue left onto Legerova (D1)"},
    {"continue", "uturn", 0, NULL, NULL, "Otočte se", "Make a U-turn"},
    {"end of road", "left", 0, "Nádražní", NULL, "Na konci silnice odbočte vlevo na ulici Nádražní",
     "At the end of the road turn left onto Nádražní"},
    {"fork", "slight left", 0, NULL, "D11", "Na rozcestí se držte vlevo na silnici D11",
     "At the fork keep left onto D11"},
    {"merge", "slight right", 0, NULL, "D1", "Připojte se vpravo na silnici D1",
     "Merge right onto D1"},
    {"on ramp", "right", 0, NULL, "D11", "Najeďte vpravo na nájezd na silnici D11",
     "Take the right ramp onto D11"},
    {"off ramp", "slight right", 0, "Pražská", NULL, "Sjeďte vpravo na sjezd na ulici Pražská",
     "Take the right exit onto Pražská"},
    {"off ramp", NULL, 0, NULL, NULL, "Sjeďte na sjezd", "Take the exit"},
    {"roundabout", "straight", 1, "Brněnská", NULL,
     "Na kruhovém objezdu vyjeďte prvním výjezdem na ulici Brněnská",
     "At the roundabout take the first exit onto Brněnská"},
    {"rotary", "left", 10, NULL, NULL, "Na kruhovém objezdu vyjeďte desátým výjezdem",
     "At the roundabout take the tenth exit"},
    {"roundabout", "left", 12, NULL, NULL, "Na kruhovém objezdu vyjeďte 12. výjezdem",
     "At the roundabout take the 12th exit"},
    {"roundabout", "right", 0, NULL, NULL, "Vjeďte na kruhový objezd", "Enter the roundabout"},
    {"exit roundabout", "right", 2, "Hradecká", NULL,
     "Vyjeďte z kruhového objezdu na ulici Hradecká", "Exit the roundabout onto Hradecká"},
    {"notification", "left", 0, "Husova", NULL, "Pokračujte na ulici Husova",
     "Continue onto Husova"},
    {NULL, NULL, 0, NULL, NULL, "Pokračujte", "Continue"},
};

START_TEST(sentences_by_hand)
{
    struct phrases_maneuver m = {cases[_i].type, cases[_i].modifier, cases[_i].exit, cases[_i].name,
                                 cases[_i].ref};
    char out[PHRASES_MAX];
    ck_assert_int_eq(phrases_sentence(PHRASES_CS, &m, out, sizeof out, NULL), KKC_OK);
    ck_assert_str_eq(out, cases[_i].cs);
    ck_assert_int_eq(phrases_sentence(PHRASES_EN, &m, out, sizeof out, NULL), KKC_OK);
    ck_assert_str_eq(out, cases[_i].en);
}
END_TEST

START_TEST(small_buffer_and_lang)
{
    struct phrases_maneuver m = {"turn", "right", 0, "Husova", NULL};
    char out[8];
    enum phrases_lang l = PHRASES_EN;
    ck_assert_int_eq(phrases_sentence(PHRASES_CS, &m, out, sizeof out, NULL), KKC_ETOOBIG);
    ck_assert_int_lt((int)strlen(out), 8);
    ck_assert_int_eq(phrases_lang_parse("cs", &l, NULL), KKC_OK);
    ck_assert_int_eq(l, PHRASES_CS);
    ck_assert_int_eq(phrases_lang_parse("de", &l, NULL), KKC_EINVAL);
    ck_assert_int_eq(phrases_lang_parse(NULL, &l, NULL), KKC_EINVAL);
}
END_TEST

Suite *phrases_suite(void); /* for the runner */
Suite *phrases_suite(void)
{
    Suite *s = suite_create("phrases");
    TCase *tc = tu_tcase(s, "phrases", 0);
    tcase_add_loop_test(tc, sentences_by_hand, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, small_buffer_and_lang);
    return s;
}
