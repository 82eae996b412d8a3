/*
 * tracker_names.c: the names other trackers use, mapped onto simmer's
 * catalog where the meaning is clear (see tracker.h), and the factor name
 * made from any other name.
 *
 * A rule matches a whole word or phrase of the name ("cheese" in "Goat
 * cheese", not "gin" in "ginger"), a plural "s" allowed. The first rule
 * that matches wins, so the more particular ones come first.
 *
 * SPDX-License-Identifier: ISC
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client/tracker.h"

/* Which items a rule applies to. */
#define SEV (1u << TRACKER_SYMPTOM | 1u << TRACKER_CONDITION)
#define MED (1u << TRACKER_TREATMENT)
#define TAG (1u << TRACKER_TAG | 1u << TRACKER_FOOD)

struct name_rule {
	unsigned items;
	const char *factor;
	const char *words[16];   /* NULL-terminated: at most 15 */
};

static const struct name_rule rules[] = {
	/* Red flags and flares are events: present when the severity is above 0. */
	{SEV, "night_pain", {"night pain", "pain at night", "nighttime pain"}},
	{SEV, "numbness", {"numbness", "numb", "tingling and numbness"}},
	{SEV, "weakness", {"weakness", "muscle weakness"}},
	{SEV, "fever", {"fever", "high temperature"}},
	{SEV, "weight_loss", {"weight loss", "unexplained weight loss"}},
	{SEV, "flare", {"flare", "flare up", "flareup", "flare-up"}},
	{SEV, "stiffness", {"stiffness", "stiff", "morning stiffness", "stiff joints"}},
	{SEV, "fatigue", {"fatigue", "tiredness", "tired", "exhaustion", "exhausted"}},
	{SEV, "bloating", {"bloating", "bloated", "gas", "ibs", "abdominal discomfort"}},
	{SEV, "stress", {"stress", "stressed"}},
	{SEV, "pain", {"pain", "back pain", "backache", "sciatica", "joint pain", "muscle pain"}},
	/* Medicines: NSAIDs by drug and brand name. */
	{MED, "nsaid", {"ibuprofen", "naproxen", "diclofenac", "aspirin", "celecoxib",
	    "meloxicam", "ketoprofen", "etoricoxib", "indomethacin", "nsaid", "advil", "aleve"}},
	{MED, "nsaid", {"nurofen", "motrin", "voltaren", "naprosyn", "piroxicam", "etodolac",
	    "nabumetone", "celebrex", "acetylsalicylic acid"}},
	{MED | TAG, "omega3", {"omega 3", "omega3", "omega-3", "fish oil", "cod liver oil"}},
	/* Foods and tags. Water is no drink of alcohol, whatever word comes
	 * with it ("drinking water"): it stays a factor of its own. */
	{TAG, NULL, {"water", "drinking water", "sparkling water", "hydration"}},
	{TAG, "late_meal", {"late meal", "ate late", "late dinner", "eating late", "late night snack"}},
	{TAG, "skipped_meal", {"skipped meal", "skipped breakfast", "skipped lunch",
	    "skipped dinner", "missed meal", "skipped a meal"}},
	{TAG, "processed_food", {"processed food", "processed", "fast food", "junk food",
	    "takeaway", "take away", "ready meal", "processed meat"}},
	{TAG, "alcohol", {"alcohol", "beer", "wine", "vodka", "whisky", "whiskey", "gin", "rum",
	    "cocktail", "spirits", "cider", "drinking"}},
	{TAG, "dairy", {"dairy", "milk", "cheese", "yogurt", "yoghurt", "cream", "butter",
	    "ice cream", "lactose"}},
	{TAG, "gluten", {"gluten", "wheat", "bread", "pasta", "barley", "rye"}},
	{TAG, "sugar", {"sugar", "sweets", "candy", "chocolate", "dessert", "cake", "soda",
	    "cookies", "biscuits"}},
	{TAG, "fermented", {"fermented", "kefir", "sauerkraut", "kimchi", "kombucha"}},
	{TAG, "omega3", {"salmon", "sardines", "mackerel", "oily fish"}},
};

/* The name in lower case, every run of other characters one space, with a
 * space at each end so that a phrase matches as " phrase ". */
static void
normalize(const char *name, char *out, size_t outlen)
{
	size_t n = 0;
	out[n++] = ' ';
	for (const char *c = name; *c && n + 2 < outlen; c++) {
		unsigned char ch = (unsigned char)*c;
		if (isalnum(ch))
			out[n++] = (char)tolower(ch);
		else if (out[n - 1] != ' ')
			out[n++] = ' ';
	}
	if (out[n - 1] != ' ')
		out[n++] = ' ';
	out[n] = '\0';
}

static bool
has_phrase(const char *text, const char *phrase)
{
	char want[64];
	normalize(phrase, want, sizeof want);
	size_t len = strlen(want);
	if (strstr(text, want) != NULL)
		return true;
	/* The plural: " cookie" + "s ". */
	want[len - 1] = 's';
	want[len] = ' ';
	want[len + 1] = '\0';
	return strstr(text, want) != NULL;
}

/* NSAIDs the catalog takes by drug name, with a dose in mg, and the brand
 * names they are sold under. */
static const struct dose_drug {
	const char *drug;
	const char *names[6];
} dose_drugs[] = {
	{"ibuprofen", {"ibuprofen", "advil", "motrin", "nurofen"}},
	{"naproxen", {"naproxen", "aleve", "naprosyn"}},
	{"diclofenac", {"diclofenac", "voltaren"}},
	{"aspirin", {"aspirin", "acetylsalicylic acid"}},
	{"celecoxib", {"celecoxib", "celebrex"}},
};

bool
tracker_dose_drug(const char *name, const char *dose, char drug[33], double *mg)
{
	char text[256];
	normalize(name, text, sizeof text);
	double amount;
	char unit[4] = "";
	int used = 0;
	if (dose == NULL || sscanf(dose, " %lf %3[mgMG]%n", &amount, unit, &used) != 2 ||
	    dose[used + strspn(dose + used, " ")] != '\0' || !(amount > 0))
		return false;
	if (strcasecmp(unit, "g") == 0)
		amount *= 1000;
	else if (strcasecmp(unit, "mg") != 0)
		return false;
	for (size_t i = 0; i < sizeof dose_drugs / sizeof dose_drugs[0]; i++) {
		for (const char *const *w = dose_drugs[i].names; *w; w++) {
			if (has_phrase(text, *w)) {
				snprintf(drug, 33, "%s", dose_drugs[i].drug);
				*mg = amount;
				return true;
			}
		}
	}
	return false;
}

static const char *const builtins[] = {
	"ibuprofen", "naproxen", "diclofenac", "aspirin", "celecoxib", "mood", "energy",
	"sleep_hours", "sleep_quality", "stress", "activity_minutes", "activity_rpe", "pain",
	"stiffness", "fatigue", "bloating", "flare", "dairy", "gluten", "sugar", "alcohol",
	"processed_food", "late_meal", "skipped_meal", "nsaid", "omega3", "fermented", "fever",
	"numbness", "weakness", "night_pain", "weight_loss",
};

bool
tracker_builtin_name(const char *name)
{
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(builtins[i], name) == 0)
			return true;
	return false;
}

bool
tracker_reserved_name(const char *name)
{
	static const char *const aliases[] = {"sleep", "quality", "activity", "exercise", "rpe"};
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(aliases[i], name) == 0)
			return true;
	return false;
}

void
tracker_slug(const char *name, char out[33])
{
	char norm[256];
	normalize(name, norm, sizeof norm);
	size_t n = 0;
	const char *c = norm + 1;
	if (isdigit((unsigned char)*c)) {
		out[n++] = 'n';
		out[n++] = '_';
	}
	for (; *c && n < 32; c++)
		out[n++] = *c == ' ' ? '_' : *c;
	while (n > 0 && out[n - 1] == '_')
		n--;
	out[n] = '\0';
	if (n == 0)
		snprintf(out, 33, "unnamed");
}

void
tracker_map_name(enum tracker_item item, const char *name, struct tracker_mapping *m)
{
	char text[256];
	normalize(name, text, sizeof text);
	memset(m, 0, sizeof *m);
	m->scale = 2.5;
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		if (!(rules[i].items & (1u << item)))
			continue;
		const char *const *w = rules[i].words;
		while (*w && !has_phrase(text, *w))
			w++;
		if (*w == NULL)
			continue;
		if (rules[i].factor == NULL)
			break;  /* a name that stays a factor of its own */
		snprintf(m->factor, sizeof m->factor, "%s", rules[i].factor);
		m->builtin = true;
		m->event = strcmp(m->factor, "flare") == 0 || strcmp(m->factor, "night_pain") == 0 ||
		    strcmp(m->factor, "numbness") == 0 || strcmp(m->factor, "weakness") == 0 ||
		    strcmp(m->factor, "fever") == 0 || strcmp(m->factor, "weight_loss") == 0;
		return;
	}
	/* Anything else becomes a factor of its own, named after it; a name
	 * that is a built-in of another kind or an alias gets the item's word. */
	tracker_slug(name, m->factor);
	if (tracker_builtin_name(m->factor) || tracker_reserved_name(m->factor)) {
		static const char *const suffix[] = {
			[TRACKER_SYMPTOM] = "_symptom", [TRACKER_CONDITION] = "_condition",
			[TRACKER_TREATMENT] = "_treatment", [TRACKER_TAG] = "_tag",
			[TRACKER_FOOD] = "_food", [TRACKER_OTHER] = "_other",
		};
		size_t len = strlen(m->factor), extra = strlen(suffix[item]);
		if (len + extra > 32)
			len = 32 - extra;
		snprintf(m->factor + len, 33 - len, "%s", suffix[item]);
	}
}
