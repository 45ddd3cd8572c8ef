"""A seeded, deterministic demo export in the ../shared/EXPORT_FORMAT.md layout.

Why it exists: demo data takes exactly the path real data takes (export folder ->
validate -> anonymize -> warehouse), so it has to be a real export folder. It also
has to look like a real network (uneven growth, group preferences that differ, a
participation funnel) so that every chart shows something, and it has to exercise
the awkward corners of the contract: quoting, HTML and formula prefixes in titles,
duplicate votes, members who withdrew consent, identifier columns the build must drop.

How it stays fast and reproducible: every row is generated vectorized with numpy
(loops run only over rounds, questions and projects, never over members or votes),
each section draws from its own ``default_rng((seed, section))`` stream, and DuckDB
formats and writes the CSVs with insertion order preserved, so the same arguments
give byte-identical files. Dates are carried as day numbers (days since 1970-01-01)
and timestamps as epoch seconds until DuckDB prints them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from itertools import product
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

EXPORTED_AT = "2026-11-01T06:00:00Z"
NETWORK = "Demo MS Network"

_EPOCH = date(1970, 1, 1)


def _day(iso: str) -> int:
    """Day number of an ISO date: dates stay integers until DuckDB writes them."""
    return (date.fromisoformat(iso) - _EPOCH).days


START = _day("2016-11-01")  # the network's launch
AS_OF = _day("2026-11-01")  # the export's as-of date
LAST = AS_OF - 1  # nothing is dated on or after the as-of date
_MONTHS = (
    np.arange("2016-11", "2026-12", dtype="datetime64[M]").astype("datetime64[D]").astype(np.int64)
)  # first day of each month, plus the first day after the last month
N_MONTHS = len(_MONTHS) - 1
_DAY_S = 86_400

ROLES = ("person_with_ms", "caregiver", "other")
MS_TYPES = ("RRMS", "SPMS", "PPMS", "CIS", "unknown")
SEXES = ("female", "male", "other", "undisclosed")
QUESTION_STATUSES = (
    "submitted",
    "in_discussion",
    "shortlisted",
    "in_study",
    "answered",
    "archived",
)
PROJECT_KINDS = ("survey", "observational", "clinical_trial", "participant_driven")
PROJECT_STATUSES = (
    "in_development",
    "open_for_participation",
    "in_progress",
    "completed",
    "results_available",
)
STAGES = ("invited", "screened", "eligible", "consented", "enrolled", "completed", "withdrawn")
ACTIVITY_KINDS = (
    "login",
    "survey_completed",
    "question_submitted",
    "vote",
    "comment",
    "enrollment",
)

TOPICS = (
    "Symptoms & quality of life",
    "Progression & repair",
    "Treatment & side effects",
    "Daily life, work & family",
    "Diet, exercise & wellness",
    "Mental health & cognition",
    "Diagnosis & monitoring",
    "Care, access & costs",
    "Caregiving & support",
)
_TOPIC_WEIGHTS = np.array([0.16, 0.12, 0.14, 0.12, 0.11, 0.11, 0.08, 0.09, 0.07])

# Preference groups: 0 RRMS, 1 progressive (SPMS/PPMS), 2 other person_with_ms,
# 3 caregiver, 4 other. Rows are groups, columns TOPICS; added to a question's appeal.
_PREFS = np.array(
    [
        [0.9, 0.0, 0.5, 0.3, 0.3, 0.2, 0.1, 0.0, -0.7],
        [0.2, 2.2, 0.0, -0.2, -0.2, 0.2, -0.3, 0.4, -0.3],
        [0.4, 0.0, 0.4, 0.2, 0.4, 0.2, 0.8, 0.1, -0.6],
        [0.0, 0.3, -0.3, 1.3, -0.2, 0.3, -0.3, 0.6, 1.8],
        [0.2, 0.2, 0.1, 0.2, 0.4, 0.2, 0.2, 0.5, 0.3],
    ]
)
_YOUNG = np.array([0.0, -0.4, 0.9, 0.8, 0.2, 0.0, 0.0, 0.0, -0.2])  # under 40 when voting
_OLDER = np.array([0.1, 0.4, -0.2, -0.4, 0.0, 0.2, 0.0, 0.3, 0.1])  # 60 and over

# ---------------------------------------------------------------------------
# Question titles: templates per topic, filled from slot lists, so they read as
# members write them and are unique within a demo.

_SYMPTOMS = (
    "fatigue",
    "numbness in my hands",
    "leg spasticity",
    "bladder urgency",
    "nerve pain",
    "dizziness",
    "heat sensitivity",
    "poor balance",
    "tremor",
    "insomnia",
    "foot drop",
    "blurred vision",
)
_DMTS = (
    "ocrelizumab",
    "natalizumab",
    "fingolimod",
    "dimethyl fumarate",
    "teriflunomide",
    "ofatumumab",
    "cladribine",
    "glatiramer acetate",
)
_PROGRESSIVE = ("SPMS", "PPMS", "progressive MS", "people over 55")

_Template = tuple[str, tuple[tuple[str, ...], ...]]

_TEMPLATES: tuple[tuple[_Template, ...], ...] = (
    (  # Symptoms & quality of life
        ("What actually helps with {} on bad days?", (_SYMPTOMS,)),
        (
            "Why does {} get worse {}?",
            (
                _SYMPTOMS,
                (
                    "in the evening",
                    "after a hot shower",
                    "during my period",
                    "in winter",
                    "after exercise",
                    "when I'm stressed",
                ),
            ),
        ),
        (
            "How do others manage {} and still {}?",
            (
                _SYMPTOMS,
                ("work full time", "look after young kids", "keep driving", "travel abroad"),
            ),
        ),
        ("Is {} a sign of a relapse or just a bad week?", (_SYMPTOMS,)),
        ("Does {} ever go away once it has started?", (_SYMPTOMS,)),
    ),
    (  # Progression & repair
        (
            "Can {} slow disability progression in {}?",
            (
                (
                    "metformin",
                    "clemastine",
                    "high-dose biotin",
                    "simvastatin",
                    "lipoic acid",
                    "BTK inhibitors",
                ),
                _PROGRESSIVE,
            ),
        ),
        (
            "Does {} slow progression {}?",
            (
                (
                    "intensive exercise",
                    "a Mediterranean diet",
                    "quitting smoking",
                    "treating high blood pressure",
                    "losing weight",
                ),
                ("once relapses stop", "in progressive MS", "over ten years"),
            ),
        ),
        (
            "Can {} predict progression before symptoms change?",
            (
                (
                    "blood NfL levels",
                    "retinal OCT scans",
                    "brain atrophy on MRI",
                    "walking speed tests",
                    "smartphone tapping tests",
                ),
            ),
        ),
        (
            "Could {} repair myelin damage in {}?",
            (
                (
                    "stem cell transplants",
                    "remyelinating drugs",
                    "thyroid hormone analogues",
                    "clemastine",
                ),
                _PROGRESSIVE,
            ),
        ),
        (
            "Why do some people with {} progress quickly while others stay stable for decades?",
            (("RRMS", "SPMS", "PPMS"),),
        ),
        (
            "How can we tell if {} is happening in real patients?",
            (("remyelination", "smouldering inflammation", "nerve loss"),),
        ),
    ),
    (  # Treatment & side effects
        ("What are the long-term side effects of {} after {} years?", (_DMTS, ("five", "ten"))),
        (
            "Is it safe to stop {} {}?",
            (
                _DMTS,
                (
                    "after age 60",
                    "during pregnancy",
                    "after years without relapses",
                    "before surgery",
                ),
            ),
        ),
        (
            "Does {} weaken the response to {}?",
            (_DMTS, ("flu vaccines", "COVID-19 boosters", "shingles vaccines")),
        ),
        (
            "Does {} cause {}?",
            (_DMTS, ("hair thinning", "weight gain", "low lymphocyte counts", "flushing")),
        ),
    ),
    (  # Daily life, work & family
        (
            "How can I {} while living with MS?",
            (
                (
                    "keep my job",
                    "work part time",
                    "raise young children",
                    "plan a pregnancy",
                    "keep up with friends",
                    "run a household",
                    "travel for work",
                ),
            ),
        ),
        (
            "What workplace adjustments help most with {}?",
            (
                (
                    "fatigue",
                    "heat sensitivity",
                    "brain fog",
                    "bladder urgency",
                    "poor balance",
                    "visual problems",
                ),
            ),
        ),
        (
            "How does a parent's MS affect {}?",
            (("young children", "teenagers", "adult children", "family finances"),),
        ),
        (
            "When is the right time to tell {} about my MS?",
            (("my employer", "new friends", "my children", "a new partner", "colleagues"),),
        ),
        (
            "Can flexible working reduce {} in people with MS?",
            (("sick days", "job loss", "early retirement", "burnout"),),
        ),
        (
            "How do families share {} when a parent has MS?",
            (("childcare", "housework", "driving", "money worries"),),
        ),
        (
            "Is {} still realistic with {}?",
            (
                ("full-time work", "shift work", "starting a business", "a long commute"),
                ("RRMS", "progressive MS", "severe fatigue"),
            ),
        ),
    ),
    (  # Diet, exercise & wellness
        (
            "Does {} help with {}?",
            (
                (
                    "a ketogenic diet",
                    "intermittent fasting",
                    "a gluten-free diet",
                    "the Wahls protocol",
                    "a low-salt diet",
                    "a Mediterranean diet",
                ),
                ("fatigue", "relapse rates", "brain atrophy", "mood"),
            ),
        ),
        (
            "What kind of {} is safe with {}?",
            (
                ("strength training", "yoga", "swimming", "interval training", "Pilates"),
                ("poor balance", "heat sensitivity", "spasticity", "severe fatigue"),
            ),
        ),
        (
            "How much {} should people with MS take?",
            (("vitamin D", "omega-3", "biotin", "vitamin B12", "magnesium"),),
        ),
        (
            "Can {} reduce relapses?",
            (
                (
                    "better sleep",
                    "stress management",
                    "losing weight",
                    "mindfulness",
                    "daily walking",
                ),
            ),
        ),
    ),
    (  # Mental health & cognition
        (
            "How common is {} in MS, and is it treated enough?",
            (
                (
                    "depression",
                    "anxiety",
                    "pseudobulbar affect",
                    "apathy",
                    "burnout",
                    "grief after diagnosis",
                ),
            ),
        ),
        (
            "Can {} help with {}?",
            (
                (
                    "cognitive rehabilitation",
                    "CBT",
                    "mindfulness",
                    "aerobic exercise",
                    "antidepressants",
                ),
                ("brain fog", "memory problems", "low mood", "word-finding difficulties"),
            ),
        ),
        (
            "Why does my {} get worse {}?",
            (
                ("brain fog", "memory", "concentration", "word finding"),
                ("when I'm tired", "in the heat", "during a relapse", "in the afternoon"),
            ),
        ),
        (
            "Should cognitive screening be part of {}?",
            (("every annual review", "the first visit after diagnosis", "DMT monitoring"),),
        ),
        (
            "How can {} spot early signs of {}?",
            (
                ("families", "GPs", "neurologists"),
                ("depression", "cognitive decline", "anxiety"),
            ),
        ),
    ),
    (  # Diagnosis & monitoring
        ("How often should people with {} have an MRI?", (("RRMS", "SPMS", "PPMS", "stable MS"),)),
        (
            "Could {} replace some MRI scans?",
            (("blood NfL tests", "OCT eye scans", "smartphone tests", "home walking tests"),),
        ),
        (
            "Why does it take so long to get diagnosed {}?",
            (
                (
                    "as a woman",
                    "as a Black patient",
                    "after age 50",
                    "with mostly sensory symptoms",
                ),
            ),
        ),
        (
            "What early symptoms did people notice before {}?",
            (("their diagnosis", "their first relapse", "converting to SPMS"),),
        ),
        ("Is {} still needed to confirm a diagnosis?", (("evoked potentials", "a second MRI"),)),
        (
            "How reliable is {} for tracking my MS at home?",
            (
                (
                    "a smartwatch",
                    "a step counter",
                    "a symptom diary app",
                    "a home vision test",
                    "a typing-speed app",
                ),
            ),
        ),
        (
            "Should {} get {} more often?",
            (
                ("people on DMTs", "people over 50", "people with new symptoms"),
                ("MRI scans", "blood tests", "eye exams"),
            ),
        ),
        (
            "Can {} on MRI tell us who will {}?",
            (
                ("paramagnetic rim lesions", "spinal cord lesions", "the central vein sign"),
                ("progress faster", "respond to treatment"),
            ),
        ),
    ),
    (  # Care, access & costs
        (
            "Why does {} cost so much more in {}?",
            (
                ("ocrelizumab", "an MRI scan", "physiotherapy", "a mobility aid"),
                ("the US", "rural areas", "private clinics"),
            ),
        ),
        (
            "How can people {}?",
            (
                (
                    "get an MS nurse without a long wait",
                    "afford physiotherapy",
                    "see a neurologist in rural areas",
                    "appeal insurance denials for DMTs",
                    "get disability benefits faster",
                    "access rehab after a relapse",
                ),
            ),
        ),
        (
            "Do telehealth visits work as well as in-person care for {}?",
            (("routine check-ups", "relapse assessments", "mental health support", "rehab"),),
        ),
        (
            "Does {} affect access to MS specialists?",
            (("living in a rural area", "income", "race", "age", "language"),),
        ),
        (
            "How much do people with MS spend out of pocket on {}?",
            (
                (
                    "medication",
                    "home adaptations",
                    "travel to appointments",
                    "mobility aids",
                    "therapies",
                ),
            ),
        ),
        (
            "Should insurers cover {} for people with MS?",
            (
                (
                    "cooling vests",
                    "physiotherapy",
                    "counselling",
                    "home adaptations",
                    "fertility treatment",
                ),
            ),
        ),
    ),
    (  # Caregiving & support
        (
            "How do {} cope when they become {}?",
            (
                ("partners", "teenagers", "adult children", "parents"),
                ("full-time carers", "the main earner"),
            ),
        ),
        (
            "What support helps caregivers with {}?",
            (("burnout", "sleep loss", "money worries", "isolation", "juggling work and care"),),
        ),
        (
            "How can caregivers {}?",
            (
                (
                    "get respite care",
                    "talk to the care team",
                    "look after their own health",
                    "plan for the future",
                    "find other carers nearby",
                ),
            ),
        ),
        (
            "What do {} wish they had known about caring for someone with MS?",
            (("partners", "parents", "adult children"),),
        ),
        (
            "Should {} include caregivers' needs?",
            (("MS clinics", "rehab programmes", "telehealth visits"),),
        ),
        (
            "How can families support a {} with {} without burning out?",
            (("parent", "partner", "sibling"), ("MS", "progressive MS", "severe fatigue")),
        ),
    ),
)

# Titles that must survive every layer: CSV quoting, HTML escaping, spreadsheet
# formula injection, non-ASCII, emoji, embedded newlines. (topic index, title)
SPECIAL_TITLES: tuple[tuple[int, str], ...] = (
    (0, 'Does "brain fog" get worse in hot weather, and what actually helps?'),
    (0, "<b>bold</b> question: why does fatigue hit hardest in the afternoon?"),
    (4, "Diet & MS: does cutting sugar change how often we relapse?"),
    (0, "<img src=x onerror=alert(1)> Do cooling vests really reduce heat sensitivity?"),
    (4, "Does the Zürich café study on coffee and fatigue apply to people in España too?"),
    (2, "Which 💊 DMTs are safest to take while trying for a baby?"),
    (5, "🧠 Can brain-training apps slow down cognitive decline?"),
    (1, "Why does walking get harder in the evening?\nIs it fatigue, weakness or both?"),
    (7, '=HYPERLINK("http://evil.example","click") Where can I get cheaper MRI scans?'),
    (2, "+1 for this: should the network compare generic and brand glatiramer?"),
    (6, "-5% brain volume a year: is that normal with MS?"),
    (8, "@everyone: how do partners cope when they become full-time carers?"),
)

# ---------------------------------------------------------------------------
# Rounds and projects: a hand-written history, so names and dates read naturally.


@dataclass(frozen=True)
class _Round:
    """One prioritization round as planned; turnout is a share of eligible members."""

    round_id: str
    name: str
    opens: int
    closes: int
    method: str
    max_choices: int | None
    size: int
    turnout: float


ROUNDS: tuple[_Round, ...] = (
    _Round("R1", "2017 priorities: pick your top 3", _day("2017-06-01"), _day("2017-06-30"),
           "pick", 3, 12, 0.32),
    _Round("R2", "2018 priorities: rank your top 5", _day("2018-05-01"), _day("2018-05-31"),
           "rank", 5, 15, 0.25),
    _Round("R3", "Spring 2019: rate, discuss & decide", _day("2019-04-01"), _day("2019-04-30"),
           "rate", None, 25, 0.32),
    _Round("R4", "2020 priorities: pick your top 5", _day("2020-05-01"), _day("2020-06-15"),
           "pick", 5, 18, 0.24),
    _Round("R5", "2021 priorities: rank your top 5", _day("2021-10-01"), _day("2021-10-31"),
           "rank", 5, 20, 0.28),
    _Round("R6", "2023 priorities: rate every question", _day("2023-03-01"), _day("2023-03-31"),
           "rate", None, 25, 0.35),
    _Round("R7", "2024 priorities: rate every question", _day("2024-10-01"), _day("2024-10-31"),
           "rate", None, 25, 0.35),
    _Round("R8", "2026 priorities: rate every question", _day("2026-04-01"), _day("2026-04-30"),
           "rate", None, 25, 0.35),
)  # fmt: skip

# (topic index, kind, title) of possible projects; a demo uses 14-18 of them.
_PROJECT_IDEAS: tuple[tuple[int, str, str], ...] = (
    (1, "clinical_trial", "Metformin and clemastine for myelin repair in progressive MS"),
    (1, "observational", "Blood NfL as an early warning of progression"),
    (1, "participant_driven", "Tracking walking speed at home with smartphones"),
    (0, "survey", "Fatigue & heat sensitivity across the seasons"),
    (0, "clinical_trial", "Cooling garments for heat-related fatigue: a randomized trial"),
    (0, "participant_driven", "Bladder symptoms diary: what helps day to day"),
    (2, "observational", "Long-term side effects after switching DMTs"),
    (2, "survey", "Why people stop or switch their disease-modifying therapy"),
    (2, "clinical_trial", "Extended-interval dosing of natalizumab"),
    (3, "survey", "Working with MS: disclosure, accommodations and job loss"),
    (3, "observational", "Pregnancy and parenting outcomes in MS"),
    (4, "clinical_trial", "Mediterranean vs low-saturated-fat diet and MS fatigue"),
    (4, "participant_driven", "Home exercise programme for balance and strength"),
    (4, "observational", "Vitamin D levels and relapse activity"),
    (5, "survey", "Depression and anxiety screening in everyday MS care"),
    (5, "clinical_trial", "Online cognitive rehabilitation for MS-related brain fog"),
    (6, "observational", "Time to diagnosis and first symptoms"),
    (6, "participant_driven", "Patient-reported outcomes around MRI visits"),
    (7, "survey", "Out-of-pocket costs of MS care across countries"),
    (7, "observational", "Telehealth neurology visits since 2020"),
    (8, "survey", "The hidden workload of MS caregivers"),
    (8, "participant_driven", "Peer support for partners and families of people with MS"),
)

# status -> (earliest start, latest start); in_development projects have no dates yet.
_PROJECT_WINDOWS = {
    "results_available": (_day("2017-09-01"), _day("2022-01-01")),
    "completed": (_day("2019-06-01"), _day("2025-03-01")),
    "in_progress": (_day("2022-09-01"), _day("2025-12-01")),
    "open_for_participation": (_day("2025-06-01"), _day("2026-09-15")),
}
_DURATIONS = {  # days from start to close, by kind
    "survey": (120, 300),
    "participant_driven": (200, 540),
    "observational": (400, 1100),
    "clinical_trial": (500, 1300),
}
_FOLLOW_UP = {"survey": 20, "participant_driven": 120, "observational": 300, "clinical_trial": 270}
_PARTNERS = {
    "survey": (("network", "nonprofit", "academic"), (0.5, 0.3, 0.2)),
    "observational": (("academic", "nonprofit"), (0.7, 0.3)),
    "clinical_trial": (("industry", "academic"), (0.5, 0.5)),
    "participant_driven": (("network", "academic"), (0.8, 0.2)),
}

# ---------------------------------------------------------------------------
# Geography and fake identifiers.


def _words(text: str) -> list[str]:
    """Long word lists stay readable as one string."""
    return text.split()


_COUNTRIES = ("US", "CA", "GB", "AU", "DE", "IE", "NZ", "NL", "SE", "FR", "ES", "IT", "MX", "ZA")
_COUNTRY_WEIGHTS = np.array(
    [0.80, 0.07, 0.05, 0.03, 0.012, 0.009, 0.006, 0.004, 0.003, 0.003, 0.003, 0.003, 0.002, 0.002]
)
_US_STATES = (
    "CA 39.5 TX 29.1 FL 21.5 NY 20.2 PA 13.0 IL 12.8 OH 11.8 GA 10.7 NC 10.4 MI 10.1 NJ 9.3 "
    "VA 8.6 WA 7.7 AZ 7.2 MA 7.0 TN 6.9 IN 6.8 MD 6.2 MO 6.2 WI 5.9 CO 5.8 MN 5.7 SC 5.1 AL 5.0 "
    "LA 4.7 KY 4.5 OR 4.2 OK 4.0 CT 3.6 UT 3.3 IA 3.2 NV 3.1 AR 3.0 MS 3.0 KS 2.9 NM 2.1 NE 2.0 "
    "ID 1.8 WV 1.8 HI 1.5 NH 1.4 ME 1.4 RI 1.1 MT 1.1 DE 1.0 SD 0.9 ND 0.8 AK 0.7 DC 0.7 VT 0.6 "
    "WY 0.6"
)
_NORTH = set(_words("WA OR ID MT ND SD MN WI MI NY VT NH ME MA CT RI PA OH IN IL IA NE NJ"))
_SOUTH = set(_words("FL TX LA MS AL GA AZ NM HI"))
_REGIONS = {  # country -> ("CODE weight ...", share of members with a region)
    "US": (_US_STATES, 0.95),
    "CA": ("ON 14.7 QC 8.6 BC 5.1 AB 4.4 MB 1.4 SK 1.2 NS 1.0 NB 0.8 NL 0.5 PE 0.2 YT 0.05", 0.9),
    "GB": ("ENG 56 SCT 8 WLS 3.1 NIR 1.9", 0.55),
    "AU": ("NSW 8.2 VIC 6.7 QLD 5.2 WA 2.7 SA 1.8 TAS 0.6 ACT 0.4 NT 0.25", 0.6),
    "DE": ("NW 17.9 BY 13.1 BW 11.1 NI 8.0 HE 6.3 SN 4.1 BE 3.7", 0.4),
}

_FEMALE_NAMES = _words(
    "Anna Maria Sarah Emily Laura Jessica Ashley Jennifer Megan Rachel Hannah Olivia Sophie "
    "Chloé Zoë Renée Lucía Ingrid Aoife Siobhan Priya Keisha Mei Fatima Ana Grace Claire"
)
_MALE_NAMES = _words(
    "James John Michael David Daniel Thomas Matthew Ryan Kevin Brian Liam Noah Lucas "
    "José André Jürgen Søren Seán Rahul Tyrone Wei Omar Mateo Luca Ben Owen"
)
_OTHER_NAMES = _words("Alex Sam Jordan Taylor Casey Robin Jamie Charlie Morgan Riley")
_LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wilson Anderson "
    "Taylor Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis Walker Hall Young "
    "King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips "
    "Evans Turner Murphy O'Brien O'Connor MacDonald Müller Schmidt Núñez Peña Nguyen Kowalski "
    "Dubois Rossi Jensen Novak Patel Singh Chen Kim"
)


def _rng(seed: int, section: int) -> np.random.Generator:
    """One independent stream per section, so editing one section leaves the others intact."""
    return np.random.default_rng([seed % 2**63, section])


def _years(days: np.ndarray) -> np.ndarray:
    """Calendar year of day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _weights(spec: str) -> tuple[list[str], np.ndarray]:
    """Parse "CODE weight CODE weight ..." into codes and normalized weights."""
    parts = spec.split()
    codes, weights = parts[::2], np.array([float(w) for w in parts[1::2]])
    return codes, weights / weights.sum()


def _categorical(codes: np.ndarray, categories: list[str] | tuple[str, ...]) -> pd.Categorical:
    """Codes (-1 = missing) as a Categorical: DuckDB scans it as an ENUM without copying."""
    return pd.Categorical.from_codes(codes.astype(np.int16), categories=list(categories))


# ---------------------------------------------------------------------------
# Members


@dataclass(frozen=True)
class _Members:
    """What later sections need to know about members; arrays are indexed by member - 1."""

    joined: np.ndarray  # day, ascending: account ids are issued in join order
    role: np.ndarray  # index into ROLES
    ms_type: np.ndarray  # index into MS_TYPES, -1 = empty
    birth_year: np.ndarray  # 0 = empty
    withdrawn: np.ndarray  # day consent was withdrawn, -1 = never
    activity: np.ndarray  # monthly chance of being active, before decay
    core: np.ndarray  # very active members

    @property
    def n(self) -> int:
        return len(self.joined)

    @property
    def engagement(self) -> np.ndarray:
        """Relative propensity to vote, comment and take part (mean 1)."""
        return self.activity / self.activity.mean()

    def joined_by(self, day: int | np.ndarray) -> np.ndarray:
        """How many members had joined by the end of each given day."""
        return np.searchsorted(self.joined, day, side="right")

    def withdrawn_before(self, day: int | np.ndarray) -> np.ndarray:
        return (self.withdrawn >= 0) & (self.withdrawn < day)

    def group(self) -> np.ndarray:
        """Preference group of every member (rows of _PREFS)."""
        g = np.full(self.n, 2, dtype=np.int8)
        g[self.ms_type == 0] = 0
        g[(self.ms_type == 1) | (self.ms_type == 2)] = 1
        g[self.role == 1] = 3
        g[self.role == 2] = 4
        return g


def _join_weights() -> np.ndarray:
    """Monthly share of sign-ups: launch burst, steady growth, two campaigns, a slow year."""
    m = np.arange(N_MONTHS, dtype=np.float64)
    w = 1.0 + m / 70
    w[:3] += [14.0, 7.0, 4.0]  # launch
    w[28] += 5.0  # 2019-03: MS awareness month campaign
    w[83] += 6.0  # 2023-10: partner clinic campaign
    w[50:62] *= 0.45  # 2021: a slow year
    return w / w.sum()


def _join_days(rng: np.random.Generator, n: int) -> np.ndarray:
    month = rng.choice(N_MONTHS, size=n, p=_join_weights())
    length = np.diff(_MONTHS)[month]
    days = _MONTHS[month] + (rng.random(n) * length).astype(np.int64)
    return np.sort(np.minimum(days, LAST - 2))  # leaves room for a later withdrawal


def _make_members(rng: np.random.Generator, n: int) -> _Members:
    joined = _join_days(rng, n)
    role = rng.choice(3, size=n, p=[0.78, 0.15, 0.07]).astype(np.int8)
    ms_type = rng.choice(6, size=n, p=[0.63, 0.145, 0.097, 0.039, 0.059, 0.03]).astype(np.int8)
    ms_type[ms_type == 5] = -1
    ms_type[role != 0] = -1
    age = rng.normal(48.0, 11.5, n)
    age += np.select([(ms_type == 1) | (ms_type == 2), ms_type == 3], [8.0, -7.0], 0.0)
    age[role != 0] = rng.normal(50.0, 13.0, int((role != 0).sum()))
    birth = 2026 - np.clip(np.rint(age), 20, 85).astype(np.int64)
    birth = np.minimum(birth, _years(joined) - 18)  # adults when they joined
    birth[rng.random(n) < 0.05] = 0
    withdrawn = np.full(n, -1, dtype=np.int64)
    leaving = rng.random(n) < 0.015
    span = LAST - 1 - joined[leaving]
    withdrawn[leaving] = joined[leaving] + 1 + (rng.random(int(leaving.sum())) * span).astype(int)
    core = rng.random(n) < 0.06
    activity = rng.beta(2.0, 2.5, n) * 0.8 * np.where(rng.random(n) < 0.25, 0.25, 1.0)
    activity[core] = 0.9
    return _Members(joined, role, ms_type, birth.astype(np.int16), withdrawn, activity, core)


def _diagnosis_years(rng: np.random.Generator, m: _Members) -> np.ndarray:
    """Years diagnosed before joining: long for SPMS, short for CIS; 0 = empty."""
    shape = np.array([1.6, 2.2, 2.0, 1.0, 1.5, 1.5])[m.ms_type]  # index -1: type empty
    scale = np.array([4.5, 5.0, 3.5, 0.8, 4.0, 5.0])[m.ms_type]
    offset = np.array([0.0, 5.0, 3.0, 0.0, 0.0, 0.0])[m.ms_type]
    before = np.clip(np.rint(offset + rng.gamma(shape, scale)), 0, 35).astype(np.int64)
    year = _years(m.joined) - before
    year = np.where(m.birth_year > 0, np.maximum(year, m.birth_year.astype(np.int64) + 12), year)
    has = (m.role == 0) & (rng.random(m.n) < np.where(m.ms_type >= 0, 0.93, 0.5))
    return np.where(has, year, 0).astype(np.int16)


def _geography(rng: np.random.Generator, n: int) -> tuple[pd.Categorical, pd.Categorical]:
    """Country and ISO 3166-2 region; the US leans north, as MS prevalence does."""
    weights = _COUNTRY_WEIGHTS / _COUNTRY_WEIGHTS.sum()
    country = rng.choice(len(_COUNTRIES), size=n, p=weights).astype(np.int16)
    country[rng.random(n) < 0.003] = -1
    categories: list[str] = []
    region = np.full(n, -1, dtype=np.int16)
    for code, (spec, share) in _REGIONS.items():
        subs, w = _weights(spec)
        if code == "US":
            w = w * [1.25 if s in _NORTH else 0.8 if s in _SOUTH else 1.0 for s in subs]
            w = w / w.sum()
        rows = np.flatnonzero((country == _COUNTRIES.index(code)) & (rng.random(n) < share))
        region[rows] = len(categories) + rng.choice(len(subs), size=len(rows), p=w)
        categories += [f"{code}-{s}" for s in subs]
    return _categorical(country, _COUNTRIES), _categorical(region, categories)


def _members_frame(rng: np.random.Generator, m: _Members) -> pd.DataFrame:
    """members.csv before formatting, with the fake identifiers a platform would add."""
    sex = rng.choice(5, size=m.n, p=[0.715, 0.24, 0.01, 0.03, 0.005]).astype(np.int16)
    sex[sex == 4] = -1
    country, region = _geography(rng, m.n)
    names = _FEMALE_NAMES + _MALE_NAMES + _OTHER_NAMES
    first = np.select(
        [sex == 0, sex == 1],
        [
            rng.integers(0, len(_FEMALE_NAMES), m.n),
            len(_FEMALE_NAMES) + rng.integers(0, len(_MALE_NAMES), m.n),
        ],
        len(_FEMALE_NAMES) + len(_MALE_NAMES) + rng.integers(0, len(_OTHER_NAMES), m.n),
    )
    phone = rng.integers(0, 2**31 - 1, m.n)
    phone[rng.random(m.n) < 0.1] = -1
    return pd.DataFrame(
        {
            "id": np.arange(1, m.n + 1, dtype=np.int32),
            "joined": m.joined.astype(np.int32),
            "role": _categorical(m.role, ROLES),
            "ms_type": _categorical(m.ms_type, MS_TYPES),
            "diagnosis": _diagnosis_years(rng, m),
            "birth": m.birth_year,
            "sex": _categorical(sex, SEXES),
            "country": country,
            "region": region,
            "withdrawn": m.withdrawn.astype(np.int32),
            "first_name": _categorical(first, names),
            "last_name": _categorical(rng.integers(0, len(_LAST_NAMES), m.n), _LAST_NAMES),
            "phone": phone.astype(np.int32),
            "postal": rng.integers(0, 2**31 - 1, m.n).astype(np.int32),
            "dob_day": rng.integers(0, 365, m.n).astype(np.int16),
        }
    )


_MEMBERS_SQL = """
SELECT printf('M%07d', id) AS member_id,
       printf('m%07d@example.org', id) AS email,
       as_date(joined) AS joined_on,
       role, ms_type,
       NULLIF(diagnosis, 0) AS diagnosis_year,
       NULLIF(birth, 0) AS birth_year,
       sex, country, region,
       as_date(withdrawn) AS consent_withdrawn_on,
       first_name, last_name,
       CASE WHEN phone < 0 THEN NULL
            WHEN country IN ('US', 'CA')
                 THEN printf('+1-%03d-555-01%02d', 201 + phone % 780, phone % 100)
            WHEN country = 'GB' THEN printf('+44 7700 900%03d', phone % 1000)
            WHEN country = 'AU' THEN printf('+61 491 570 %03d', phone % 1000)
            ELSE printf('+%d 555 %04d', 30 + phone % 60, phone % 10000) END AS phone,
       CASE WHEN country = 'US' THEN printf('%05d', 1001 + postal % 98000)
            WHEN country = 'CA' THEN chr(65 + postal % 26) || (postal // 26) % 10
                 || chr(65 + (postal // 260) % 26) || ' ' || (postal // 6760) % 10
                 || chr(65 + (postal // 67600) % 26) || (postal // 1757600) % 10
            WHEN country = 'GB'
                 THEN ['SW', 'EC', 'M', 'B', 'LS', 'G', 'EH', 'CF', 'BT'][1 + postal % 9]
                 || 1 + (postal // 9) % 20 || ' ' || (postal // 180) % 10
                 || chr(65 + (postal // 1800) % 26) || chr(65 + (postal // 46800) % 26)
            WHEN country IS NULL THEN NULL
            ELSE printf('%04d', 1000 + postal % 9000) END AS postal_code,
       CASE WHEN birth > 0 THEN make_date(birth, 1, 1) + dob_day END AS date_of_birth
FROM frame
"""

# ---------------------------------------------------------------------------
# Questions and rounds


@dataclass
class _Questions:
    """Questions in submission order (id Q0001 is the oldest)."""

    submitted: np.ndarray
    topic: np.ndarray
    appeal: np.ndarray
    role: np.ndarray  # index into ROLES, -1 = empty
    titles: list[str]
    status: list[str]
    project: list[str | None]

    @property
    def n(self) -> int:
        return len(self.submitted)

    @property
    def unlinked(self) -> np.ndarray:
        """Questions no project has taken up yet."""
        return np.array([pid is None for pid in self.project])


def question_count(members: int) -> int:
    """About 300 questions for a few thousand members, growing slowly, capped at 400."""
    return int(np.clip(round(200 + 30 * np.log10(max(members, 1))), 120, 400))


def _title_pool(rng: np.random.Generator, topic: int) -> list[str]:
    """Every title a topic's templates can produce, in a seeded random order."""
    titles = [t.format(*combo) for t, slots in _TEMPLATES[topic] for combo in product(*slots)]
    return [titles[i] for i in rng.permutation(len(titles))]


def _question_topics(rng: np.random.Generator, n: int, capacity: list[int]) -> np.ndarray:
    """Topics by _TOPIC_WEIGHTS, never more questions than a topic has titles."""
    topics = np.empty(n, dtype=np.int64)
    left = np.array(capacity, dtype=np.float64)
    first = rng.permutation(len(TOPICS))  # early questions cover every topic
    for i in range(n):
        if i < len(first):
            t = int(first[i])
        else:
            w = _TOPIC_WEIGHTS * (left > 0)
            t = int(rng.choice(len(TOPICS), p=w / w.sum()))
        topics[i] = t
        left[t] -= 1
    return topics


def _make_questions(rng: np.random.Generator, members: int) -> _Questions:
    n = question_count(members)
    early = 30  # questions from the first months, so the first round has candidates
    month_w = 0.4 + np.cumsum(_join_weights())
    month = np.concatenate(
        [rng.integers(0, 6, early), rng.choice(N_MONTHS, n - early, p=month_w / month_w.sum())]
    )
    submitted = np.sort(_MONTHS[month] + (rng.random(n) * np.diff(_MONTHS)[month]).astype(int))
    pools = [_title_pool(rng, t) for t in range(len(TOPICS))]
    topic = _question_topics(rng, n, [len(p) for p in pools])
    titles = [pools[t].pop() for t in topic]
    caregiving = topic == TOPICS.index("Caregiving & support")
    role = np.where(
        caregiving,
        rng.choice(4, size=n, p=[0.25, 0.7, 0.04, 0.01]),
        rng.choice(4, size=n, p=[0.82, 0.11, 0.05, 0.02]),
    )
    role[role == 3] = -1
    appeal = rng.normal(0.0, 0.7, n)
    return _Questions(submitted, topic, appeal, role, titles, [""] * n, [None] * n)


def _round_candidates(rng: np.random.Generator, q: _Questions) -> list[np.ndarray]:
    """Each round's question ids (0-based): every topic when possible, fresher ones likelier,
    and the strongest non-winners of the previous round carried over."""
    rounds: list[np.ndarray] = []
    previous: np.ndarray = np.empty(0, dtype=np.int64)
    for r in ROUNDS:
        available = np.flatnonzero(q.submitted <= r.opens - 14)
        carried = previous[np.argsort(-q.appeal[previous])][1:4] if len(previous) else previous
        chosen = set(carried.tolist())
        recency = np.exp(-(r.opens - q.submitted) / 730.0)
        for t in rng.permutation(len(TOPICS)):
            options = [i for i in available[q.topic[available] == t] if i not in chosen]
            if options and len(chosen) < r.size:
                w = recency[options] / recency[options].sum()
                chosen.add(int(rng.choice(options, p=w)))
        rest = np.array([i for i in available if i not in chosen], dtype=np.int64)
        extra = min(r.size - len(chosen), len(rest))
        if extra > 0:
            w = recency[rest] / recency[rest].sum()
            chosen.update(rng.choice(rest, size=extra, replace=False, p=w).tolist())
        rounds.append(np.array(sorted(chosen), dtype=np.int64))
        previous = rounds[-1]
    return rounds


def _place_special_titles(rng: np.random.Generator, q: _Questions, cands: list[np.ndarray]) -> None:
    """Give the awkward titles to questions of their topic, preferably ones put to a vote."""
    in_round = np.zeros(q.n, dtype=bool)
    for c in cands:
        in_round[c] = True
    used: set[int] = set()
    for topic, title in SPECIAL_TITLES:
        same = [i for i in range(q.n) if q.topic[i] == topic and i not in used]
        voted = [i for i in same if in_round[i]]
        i = int(rng.choice(voted or same))
        q.titles[i] = title
        used.add(i)


# ---------------------------------------------------------------------------
# Projects


@dataclass
class _Project:
    project_id: str
    title: str
    topic: int
    kind: str
    status: str
    partner: str
    start: int  # -1 = not started
    close: int  # -1 = open-ended (still running, or not started)
    target: int
    origin: int = -1  # 0-based question index, -1 = none


def _status_plan(count: int) -> list[str]:
    """14-18 statuses, every status at least twice; extras go to the busiest statuses."""
    plan = {"results_available": 3, "completed": 3, "in_progress": 3}
    plan |= {"open_for_participation": 3, "in_development": 2}
    extra = ("results_available", "in_progress", "open_for_participation", "completed")
    for status in extra[: count - 14]:
        plan[status] += 1
    return [s for s, k in plan.items() for _ in range(k)]


def _project_dates(rng: np.random.Generator, status: str, kind: str) -> tuple[int, int]:
    """Start and close day: finished projects closed before the as-of date, running ones
    have no close date yet (nothing in an export is dated after its as-of date)."""
    if status == "in_development":
        return -1, -1
    lo, hi = _PROJECT_WINDOWS[status]
    if status in ("in_progress", "open_for_participation"):
        return int(rng.integers(lo, hi + 1)), -1
    duration = int(rng.integers(*_DURATIONS[kind]))
    latest = min(hi, LAST - 45 - duration)
    if latest < lo:
        duration, latest = LAST - 45 - lo, lo
    start = int(rng.integers(lo, latest + 1))
    return start, start + duration


def _pick_ideas(rng: np.random.Generator, count: int) -> list[int]:
    """Indexes into _PROJECT_IDEAS: one of every kind, the rest at random."""
    by_kind = [[i for i, idea in enumerate(_PROJECT_IDEAS) if idea[1] == k] for k in PROJECT_KINDS]
    chosen = [int(rng.choice(ids)) for ids in by_kind]
    rest = [i for i in range(len(_PROJECT_IDEAS)) if i not in chosen]
    chosen += rng.choice(rest, size=count - len(chosen), replace=False).tolist()
    return [chosen[i] for i in rng.permutation(len(chosen))]


def _make_projects(rng: np.random.Generator, members: int) -> list[_Project]:
    count = int(rng.integers(14, 19))
    scale = float(np.clip(members / 20_000, 0.05, 1.0))  # 150-2000 from 20k members up
    projects = []
    for status, idea in zip(_status_plan(count), _pick_ideas(rng, count), strict=True):
        topic, kind, title = _PROJECT_IDEAS[idea]
        names, p = _PARTNERS[kind]
        start, close = _project_dates(rng, status, kind)
        target = max(10, int(round(rng.integers(150, 2001) * scale, -1)))
        partner = str(rng.choice(names, p=p))
        projects.append(_Project("", title, topic, kind, status, partner, start, close, target))
    projects.sort(key=lambda p: (p.start < 0, p.start))
    for i, p in enumerate(projects, start=1):
        p.project_id = f"P{i:02d}"
    return projects


def _round_spans(q: _Questions, cands: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per question: the first day it was put to a vote and the last round's close (-1: never)."""
    first_open = np.full(q.n, LAST + 1, dtype=np.int64)
    last_close = np.full(q.n, -1, dtype=np.int64)
    for r, c in zip(ROUNDS, cands, strict=True):
        first_open[c] = np.minimum(first_open[c], r.opens)
        last_close[c] = np.maximum(last_close[c], r.closes)
    return first_open, last_close


def _link_questions(
    rng: np.random.Generator, q: _Questions, cands: list[np.ndarray], projects: list[_Project]
) -> None:
    """Origins are the most appealing questions of a project's topic from rounds that closed
    before it started; a few related questions join them. Sets the questions' project ids."""
    first_open, last_close = _round_spans(q, cands)
    for p in projects:
        begins = p.start if p.start >= 0 else LAST
        fits = (q.topic == p.topic) & (q.submitted < begins - 30)
        voted = (last_close >= 0) & (last_close < begins - 30)
        origins = np.flatnonzero(fits & voted & q.unlinked)
        if len(origins) and rng.random() < 0.8:
            p.origin = int(origins[np.argmax(q.appeal[origins])])
            q.project[p.origin] = p.project_id
        related = np.flatnonzero(fits & (first_open > begins) & q.unlinked)
        k = int(rng.integers(1, 3)) if p.status == "results_available" else int(rng.random() < 0.4)
        for i in rng.choice(related, size=min(k, len(related)), replace=False):
            q.project[int(i)] = p.project_id


def _set_statuses(
    rng: np.random.Generator, q: _Questions, cands: list[np.ndarray], projects: list[_Project]
) -> None:
    """Taken up -> in_study/answered; voted on -> shortlisted (stale ones archived);
    the rest submitted, in discussion or archived, older ones archived more often."""
    project_status = {p.project_id: p.status for p in projects}
    _, last_close = _round_spans(q, cands)
    for i in range(q.n):
        age = LAST - int(q.submitted[i])
        pid = q.project[i]
        if pid is not None:
            status = "answered" if project_status[pid] == "results_available" else "in_study"
        elif last_close[i] >= 0:
            stale = last_close[i] < LAST - 2 * 365
            status = "archived" if stale and rng.random() < 0.5 else "shortlisted"
        elif age < 120:
            status = "submitted"
        else:
            archived = 0.05 + 0.3 * min(age / 1825, 1.0)
            p = [0.03, 0.3, 0.67 - archived, archived]
            status = str(rng.choice(["shortlisted", "submitted", "in_discussion", "archived"], p=p))
        q.status[i] = status


# ---------------------------------------------------------------------------
# Votes


def _utilities(
    m: _Members, groups: np.ndarray, voters: np.ndarray, q: _Questions, cand: np.ndarray, r: _Round
) -> np.ndarray:
    """How much each voter (row) cares about each candidate (column), before noise."""
    topics = q.topic[cand]
    util = q.appeal[cand][None, :] + _PREFS[groups[voters]][:, topics]
    birth = m.birth_year[voters].astype(np.int64)
    age = np.where(birth > 0, int(_years(np.array([r.closes]))[0]) - birth, 50)
    util += (age < 40)[:, None] * _YOUNG[topics][None, :]
    util += (age >= 60)[:, None] * _OLDER[topics][None, :]
    return util


def _choose(
    rng: np.random.Generator, util: np.ndarray, k: int, rank: bool
) -> tuple[np.ndarray, ...]:
    """pick/rank ballots: each voter's top n <= k candidates (Gumbel noise = logit choice)."""
    voters, width = util.shape
    k = min(k, width)
    util = util + rng.gumbel(size=util.shape)
    n_pick = np.where(rng.random(voters) < 0.6, k, rng.integers(1, max(k, 2), voters))
    order = np.argsort(-util, axis=1)[:, :k]
    vi, pos = np.nonzero(np.arange(k)[None, :] < n_pick[:, None])
    value = pos + 1 if rank else np.ones_like(pos)
    return vi, order[vi, pos], pos, value


def _rate(rng: np.random.Generator, util: np.ndarray) -> tuple[np.ndarray, ...]:
    """rate ballots: every candidate rated 1-5, a few skipped."""
    raw = util + rng.normal(0.0, 0.9, util.shape)
    centre = raw.mean() if raw.size else 0.0
    rating = np.clip(np.rint(3.6 + 0.9 * (raw - centre)), 1, 5).astype(np.int8)
    skip = 0.02 + 0.1 * rng.beta(0.5, 3.0, util.shape[0])
    vi, ci = np.nonzero(rng.random(util.shape) >= skip[:, None])
    return vi, ci, ci, rating[vi, ci]


def _round_votes(
    rng: np.random.Generator,
    m: _Members,
    groups: np.ndarray,
    q: _Questions,
    number: int,
    cand: np.ndarray,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """One round's vote rows, plus each voter's member index and ballot day."""
    r = ROUNDS[number - 1]
    eligible = int(m.joined_by(r.closes))
    ok = ~m.withdrawn_before(r.opens)[:eligible]  # later withdrawals still voted
    e = m.engagement[:eligible]
    chance = np.clip(r.turnout * e / (e[ok].mean() if ok.any() else 1.0), 0.0, 0.95)
    voters = np.flatnonzero(ok & (rng.random(eligible) < chance))
    lo = np.maximum(m.joined[voters], r.opens)
    day = np.minimum(
        lo + (rng.beta(0.7, 1.6, len(voters)) * (r.closes - lo + 1)).astype(int), r.closes
    )
    at = day * _DAY_S + 6 * 3600 + (rng.random(len(voters)) * 17 * 3600).astype(np.int64)
    util = _utilities(m, groups, voters, q, cand, r)
    if r.method == "rate":
        vi, ci, pos, value = _rate(rng, util)
    else:
        vi, ci, pos, value = _choose(rng, util, r.max_choices or 1, r.method == "rank")
    gap = rng.integers(5, 40, len(voters))
    t = at[vi] + (pos + 1) * gap[vi]
    rows = {"question": cand[ci] + 1, "member": voters[vi] + 1, "t": t, "value": value}
    return _with_duplicates(rng, rows, r), voters, day


def _with_duplicates(
    rng: np.random.Generator, rows: dict[str, np.ndarray], r: _Round
) -> dict[str, np.ndarray]:
    """About 1% of votes cast again later (the build keeps the latest), rates may change."""
    dup = np.flatnonzero(rng.random(len(rows["t"])) < 0.01)
    again = {k: v[dup] for k, v in rows.items()}
    again["t"] = np.minimum(
        again["t"] + rng.integers(600, 3 * _DAY_S, len(dup)), r.closes * _DAY_S + _DAY_S - 1
    )
    if r.method == "rate":
        again["value"] = np.clip(again["value"] + rng.integers(-1, 2, len(dup)), 1, 5)
    return {k: np.concatenate([rows[k], again[k]]) for k in rows}


def _time_formats(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """Mostly naive UTC; a few `Z`, `+02:00` (same instant) and fractional seconds."""
    u = rng.random(len(t))
    fmt = np.zeros(len(t), dtype=np.int8)
    fmt[u < 0.003] = 1
    fmt[(u >= 0.003) & (u < 0.005) & (t % _DAY_S < 21 * 3600)] = 2
    fmt[(u >= 0.005) & (u < 0.008)] = 3
    return fmt


def _votes(
    rng: np.random.Generator, m: _Members, q: _Questions, cands: list[np.ndarray]
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """votes.csv rows for every round, and (member, day) of every ballot for activity."""
    groups = m.group()
    parts, ballot_members, ballot_days = [], [], []
    for number, cand in enumerate(cands, start=1):
        rows, voters, days = _round_votes(rng, m, groups, q, number, cand)
        rows["round"] = np.full(len(rows["t"]), number, dtype=np.int8)
        parts.append(rows)
        ballot_members.append(voters)
        ballot_days.append(days)
    t = np.concatenate([p["t"] for p in parts]).astype(np.int64)
    frame = pd.DataFrame(
        {
            "round": np.concatenate([p["round"] for p in parts]),
            "question": np.concatenate([p["question"] for p in parts]).astype(np.int16),
            "member": np.concatenate([p["member"] for p in parts]).astype(np.int32),
            "t": t,
            "fmt": _time_formats(rng, t),
            "value": np.concatenate([p["value"] for p in parts]).astype(np.int8),
        }
    )
    return frame, np.concatenate(ballot_members), np.concatenate(ballot_days)


# ---------------------------------------------------------------------------
# Comments, enrollments, activity


def _weighted_members(rng: np.random.Generator, m: _Members, day: np.ndarray) -> np.ndarray:
    """For each day, a member who had joined by then, active members more likely."""
    cum = np.cumsum(m.activity)
    joined = np.maximum(m.joined_by(day), 1)
    pick = np.searchsorted(cum, rng.random(len(day)) * cum[joined - 1], side="right")
    return np.minimum(pick, joined - 1)


def _comment_days(
    rng: np.random.Generator, q: _Questions, cands: list[np.ndarray], scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """(question index, day) of every comment: a discussion tail after submission, and
    bursts while a question is up for a vote."""
    rounds_of: list[list[int]] = [[] for _ in range(q.n)]
    for number, cand in enumerate(cands):
        for i in cand:
            rounds_of[int(i)].append(number)
    questions, days = [], []
    for i in range(q.n):
        age = LAST - int(q.submitted[i])
        base = rng.lognormal(1.6, 0.9) * scale * (3 + len(rounds_of[i]) if rounds_of[i] else 1)
        base *= 1.5 if q.status[i] in ("in_study", "answered") else 1.0
        n = int(rng.poisson(base * (0.3 + 0.7 * min(age / 365, 1.0))))
        day = q.submitted[i] + rng.exponential(90.0, n).astype(np.int64)
        if rounds_of[i]:
            which = rng.choice(rounds_of[i], n)
            opens = np.array([ROUNDS[j].opens for j in rounds_of[i]])[
                np.searchsorted(rounds_of[i], which)
            ]
            closes = np.array([ROUNDS[j].closes for j in rounds_of[i]])[
                np.searchsorted(rounds_of[i], which)
            ]
            during = opens + (rng.random(n) * (closes - opens + 1)).astype(np.int64)
            day = np.where(rng.random(n) < 0.6, during, day)
        questions.append(np.full(n, i, dtype=np.int64))
        days.append(np.minimum(day, LAST))
    return np.concatenate(questions), np.concatenate(days)


def _comments(
    rng: np.random.Generator, m: _Members, q: _Questions, cands: list[np.ndarray]
) -> pd.DataFrame:
    """comments.csv rows in posting order; nobody comments after withdrawing consent."""
    question, day = _comment_days(rng, q, cands, m.n / 6000)
    day = np.maximum(day, m.joined[0])
    member = _weighted_members(rng, m, day)
    keep = ~((m.withdrawn[member] >= 0) & (m.withdrawn[member] < day))
    question, day, member = question[keep], day[keep], member[keep]
    t = day * _DAY_S + 7 * 3600 + (rng.random(len(day)) * 16 * 3600).astype(np.int64)
    order = np.argsort(t, kind="stable")
    fmt = np.where(rng.random(len(t)) < 0.005, 1, 0).astype(np.int8)
    return pd.DataFrame(
        {
            "question": (question[order] + 1).astype(np.int16),
            "member": (member[order] + 1).astype(np.int32),
            "t": t[order],
            "fmt": fmt,
        }
    )


_FUNNEL = ((7.0, 0.72), (10.0, 0.8), (7.0, 0.86), (14.0, 0.92))  # (mean days, pass rate)
_FUNNEL_YIELD = float(np.prod([rate for _, rate in _FUNNEL]))
_RECRUIT = {  # status -> enrolled as a share of target (low, high), completion rate
    "results_available": (0.7, 1.2, 0.8),
    "completed": (0.7, 1.2, 0.8),
    "in_progress": (0.5, 1.0, 0.2),
    "open_for_participation": (0.1, 0.5, 0.03),
}


def _invitees(rng: np.random.Generator, m: _Members, p: _Project) -> np.ndarray:
    """Members invited to a project: joined before it started, of the right role,
    active members likelier; sampled without replacement."""
    n = int(m.joined_by(p.start))
    ok = ~m.withdrawn_before(p.start)[:n]
    if p.topic == TOPICS.index("Caregiving & support"):
        ok &= m.role[:n] == 1
    elif p.kind in ("clinical_trial", "observational"):
        ok &= m.role[:n] == 0
    pool = np.flatnonzero(ok)
    low, high, _ = _RECRUIT[p.status]
    want = int(p.target * rng.uniform(low, high) / _FUNNEL_YIELD)
    count = min(want, int(0.6 * len(pool)))
    if count <= 0:
        return pool[:0]
    keys = rng.exponential(size=len(pool)) / np.maximum(m.activity[pool], 1e-6)
    return np.sort(pool[np.argpartition(keys, count - 1)[:count]])


def _funnel(rng: np.random.Generator, m: _Members, p: _Project) -> dict[str, np.ndarray]:
    """One project's stage rows: each stage reached on or after the previous one, inside
    the project's window; running projects only have what happened by the as-of date."""
    invited = _invitees(rng, m, p)
    n = len(invited)
    end = p.close if p.close >= 0 else LAST
    recruit = max(30, int((end - p.start) * (0.5 if p.close >= 0 else 1.0)))
    day = p.start + (rng.random(n) ** 1.3 * recruit).astype(np.int64)
    reached = np.ones(n, dtype=bool)
    days, masks = [day], [reached]
    for gap, rate in _FUNNEL:
        day = day + rng.exponential(gap, n).astype(np.int64)
        if p.close >= 0:  # a closed project squeezed late steps in; a running one has not yet
            day = np.minimum(day, end)
        reached = reached & (rng.random(n) < rate) & (day <= end)
        days.append(day)
        masks.append(reached)
    enrolled_day, enrolled = days[-1], masks[-1]
    follow = (_FOLLOW_UP[p.kind] * rng.uniform(0.5, 1.5, n)).astype(np.int64)
    done_day = enrolled_day + follow
    if p.close >= 0:
        done_day = np.minimum(done_day, end)
    done = enrolled & (rng.random(n) < _RECRUIT[p.status][2]) & (done_day <= end)
    quit_day = enrolled_day + (rng.random(n) * (end - enrolled_day + 1)).astype(np.int64)
    quit_day = np.minimum(quit_day, end)
    quit = enrolled & ~done & (rng.random(n) < (0.4 if p.close >= 0 else 0.1))
    days += [done_day, quit_day]
    masks += [done, quit]
    member = np.concatenate([invited[k] for k in masks])
    stage = np.concatenate([np.full(int(k.sum()), s, dtype=np.int8) for s, k in enumerate(masks)])
    when = np.concatenate([d[k] for d, k in zip(days, masks, strict=True)])
    order = np.lexsort((stage, member))
    return {"member": member[order], "stage": stage[order], "day": when[order]}


def _enrollments(rng: np.random.Generator, m: _Members, projects: list[_Project]) -> pd.DataFrame:
    """enrollments.csv rows, project by project; in_development projects have none."""
    parts = []
    for number, p in enumerate(projects):
        if p.start < 0:
            continue
        rows = _funnel(rng, m, p)
        rows["project"] = np.full(len(rows["member"]), number, dtype=np.int16)
        parts.append(rows)
    cols = {k: np.concatenate([r[k] for r in parts]) for k in ("project", "member", "stage", "day")}
    return pd.DataFrame(
        {
            "project": _categorical(cols["project"], [p.project_id for p in projects]),
            "member": (cols["member"] + 1).astype(np.int32),
            "stage": _categorical(cols["stage"], STAGES),
            "day": cols["day"].astype(np.int32),
        }
    )


_CHUNK = 1 << 16


def _month_boost() -> np.ndarray:
    """Members are more active in months with an open round."""
    boost = np.ones(N_MONTHS)
    for r in ROUNDS:
        first, last = np.searchsorted(_MONTHS, [r.opens, r.closes], side="right") - 1
        boost[first : last + 1] = 1.3
    return boost


def _logins(rng: np.random.Generator, m: _Members) -> tuple[np.ndarray, ...]:
    """Active months per member: always the join month, then with a chance that decays
    from joining towards a floor (high for the core); 1+ events in each active month."""
    joined_month = np.searchsorted(_MONTHS, m.joined, side="right") - 1
    last_day = np.where(m.withdrawn >= 0, m.withdrawn, LAST)
    last_month = np.searchsorted(_MONTHS, last_day, side="right") - 1
    floor = np.where(m.core, 0.85, 0.12)
    per_month = np.where(m.core, 2.0, 0.35)
    decay = np.exp(-np.arange(N_MONTHS) / 9.0)
    boost, months = _month_boost(), np.arange(N_MONTHS)
    members, days, kinds = [], [], []
    for s in range(0, m.n, _CHUNK):
        sl = slice(s, s + _CHUNK)
        rel = months[None, :] - joined_month[sl, None]
        valid = (rel >= 0) & (months[None, :] <= last_month[sl, None])
        chance = m.activity[sl, None] * (
            floor[sl, None] + (1 - floor[sl, None]) * decay[np.maximum(rel, 0)]
        )
        chance = np.where(rel == 0, 1.0, chance * boost)
        ii, mm = np.nonzero(valid & (rng.random(chance.shape) < chance))
        ii = ii + s
        repeat = 1 + rng.poisson(per_month[ii])
        ii, mm = np.repeat(ii, repeat), np.repeat(mm, repeat)
        lo = np.maximum(_MONTHS[mm], m.joined[ii])
        hi = np.minimum(_MONTHS[mm + 1] - 1, last_day[ii])
        members.append(ii)
        days.append(lo + (rng.random(len(ii)) * (hi - lo + 1)).astype(np.int64))
        kinds.append(np.where(rng.random(len(ii)) < 0.88, 0, 1))
    return np.concatenate(members), np.concatenate(days), np.concatenate(kinds)


def _submitters(
    rng: np.random.Generator, m: _Members, q: _Questions
) -> tuple[np.ndarray, np.ndarray, int]:
    """question_submitted events: a member of the stated role (else anyone) who had joined
    when the question was submitted; none when nobody had joined yet."""
    by_role = [np.flatnonzero(m.role == r) for r in range(len(ROLES))]
    everyone = np.arange(m.n)
    members, days = [], []
    for i in range(q.n):
        joined = int(m.joined_by(q.submitted[i]))
        pool = by_role[q.role[i]] if q.role[i] >= 0 else everyone
        count = int(np.searchsorted(pool, joined))
        if count == 0:
            pool, count = everyone, joined
        if count > 0:
            members.append(int(pool[int(rng.integers(0, count))]))
            days.append(int(q.submitted[i]))
    return np.array(members, dtype=np.int64), np.array(days, dtype=np.int64), 2


def _activity(
    rng: np.random.Generator,
    m: _Members,
    q: _Questions,
    events: list[tuple[np.ndarray, np.ndarray, int]],
) -> pd.DataFrame:
    """activity.csv: logins and surveys, plus one row per ballot, comment, enrollment and
    submitted question; sorted by member and day."""
    member, day, kind = _logins(rng, m)
    events = [*events, _submitters(rng, m, q)]
    member = np.concatenate([member, *[e[0] for e in events]])
    day = np.concatenate([day, *[e[1] for e in events]])
    kind = np.concatenate([kind, *[np.full(len(e[0]), e[2]) for e in events]])
    order = np.argsort((member << 15) | ((day - START) << 3) | kind, kind="stable")
    return pd.DataFrame(
        {
            "member": (member[order] + 1).astype(np.int32),
            "day": day[order].astype(np.int32),
            "kind": _categorical(kind[order], ACTIVITY_KINDS),
        }
    )


# ---------------------------------------------------------------------------
# Small tables


def _questions_frame(q: _Questions) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "question_id": [f"Q{i:04d}" for i in range(1, q.n + 1)],
            "submitted": q.submitted.astype(np.int32),
            "submitted_by_role": _categorical(q.role, ROLES),
            "topic": _categorical(q.topic, TOPICS),
            "title": q.titles,
            "status": _categorical(
                np.array([QUESTION_STATUSES.index(s) for s in q.status]), QUESTION_STATUSES
            ),
            "project_id": pd.array(q.project, dtype="str"),
        }
    )


def _rounds_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "round_id": [r.round_id for r in ROUNDS],
            "name": [r.name for r in ROUNDS],
            "opens": [r.opens for r in ROUNDS],
            "closes": [r.closes for r in ROUNDS],
            "method": [r.method for r in ROUNDS],
            "max_choices": pd.array([r.max_choices for r in ROUNDS], dtype="Int64"),
        }
    )


def _projects_frame(projects: list[_Project]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_id": [p.project_id for p in projects],
            "title": [p.title for p in projects],
            "kind": [p.kind for p in projects],
            "status": [p.status for p in projects],
            "partner_type": [p.partner for p in projects],
            "start": [p.start for p in projects],
            "close": [p.close for p in projects],
            "target_enrollment": [p.target for p in projects],
            "origin": [p.origin for p in projects],
            "results_url": pd.array(
                [
                    f"https://example.org/results/{p.project_id}"
                    if p.status == "results_available"
                    else None
                    for p in projects
                ],
                dtype="str",
            ),
        }
    )


# ---------------------------------------------------------------------------
# Writing

_MACROS = (
    "CREATE TEMP MACRO as_date(d) AS CASE WHEN d >= 0 THEN DATE '1970-01-01' + d::INTEGER END",
    """CREATE TEMP MACRO as_ts(t, f) AS CASE f
        WHEN 0 THEN strftime(make_timestamp(t * 1000000), '%Y-%m-%dT%H:%M:%S')
        WHEN 1 THEN strftime(make_timestamp(t * 1000000), '%Y-%m-%dT%H:%M:%SZ')
        WHEN 2 THEN strftime(make_timestamp((t + 7200) * 1000000), '%Y-%m-%dT%H:%M:%S+02:00')
        ELSE strftime(make_timestamp(t * 1000000), '%Y-%m-%dT%H:%M:%S')
             || printf('.%03d', t % 1000) END""",
)

_SELECT = {
    "members": _MEMBERS_SQL,
    "questions": """SELECT question_id, as_date(submitted) AS submitted_on, submitted_by_role,
        topic, title, status, project_id FROM frame""",
    "rounds": """SELECT round_id, name, as_date(opens) AS opens_on, as_date(closes) AS closes_on,
        method, max_choices FROM frame""",
    "projects": """SELECT project_id, title, kind, status, partner_type,
        as_date(start) AS started_on, as_date(close) AS closes_on, target_enrollment,
        CASE WHEN origin >= 0 THEN printf('Q%04d', origin + 1) END AS origin_question_id,
        results_url FROM frame""",
    "votes": """SELECT 'R' || round AS round_id, printf('Q%04d', question) AS question_id,
        printf('M%07d', member) AS member_id, as_ts(t, fmt) AS cast_at, value FROM frame""",
    "comments": """SELECT printf('Q%04d', question) AS question_id,
        printf('M%07d', member) AS member_id, as_ts(t, fmt) AS posted_at FROM frame""",
    "enrollments": """SELECT project AS project_id, printf('M%07d', member) AS member_id,
        stage, as_date(day) AS occurred_on FROM frame""",
    "activity": """SELECT printf('M%07d', member) AS member_id, as_date(day) AS occurred_on,
        kind FROM frame""",
}


def _write(con: duckdb.DuckDBPyConnection, out_dir: Path, name: str, frame: pd.DataFrame) -> int:
    """Format and write one CSV with DuckDB (RFC 4180 quoting, NULL -> empty field)."""
    path = str(out_dir / f"{name}.csv").replace("'", "''")
    con.register("frame", frame)
    try:
        con.execute(f"COPY ({_SELECT[name]}) TO '{path}' (HEADER, DELIMITER ',')")
    finally:
        con.unregister("frame")
    return len(frame)


def write_demo_export(out_dir: Path, members: int = 6000, seed: int = 42) -> dict[str, int]:
    """Write a demo export folder; return {file_name: data_row_count}."""
    if members < 1:
        raise ValueError("members must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    m = _make_members(_rng(seed, 1), members)
    q = _make_questions(_rng(seed, 2), members)
    cands = _round_candidates(_rng(seed, 3), q)
    _place_special_titles(_rng(seed, 4), q, cands)
    projects = _make_projects(_rng(seed, 5), members)
    _link_questions(_rng(seed, 5), q, cands, projects)
    _set_statuses(_rng(seed, 6), q, cands, projects)
    counts: dict[str, int] = {}
    with duckdb.connect(config={"preserve_insertion_order": True}) as con:
        con.execute("SET enable_progress_bar = false")
        for macro in _MACROS:
            con.execute(macro)

        def write(name: str, frame: pd.DataFrame) -> None:
            counts[f"{name}.csv"] = _write(con, out_dir, name, frame)

        write("members", _members_frame(_rng(seed, 7), m))
        write("questions", _questions_frame(q))
        write("rounds", _rounds_frame())
        write("projects", _projects_frame(projects))
        votes, ballot_members, ballot_days = _votes(_rng(seed, 8), m, q, cands)
        write("votes", votes)
        del votes
        comments = _comments(_rng(seed, 9), m, q, cands)
        write("comments", comments)
        enrollments = _enrollments(_rng(seed, 10), m, projects)
        write("enrollments", enrollments)
        events = [
            (ballot_members, ballot_days, 3),
            (comments["member"].to_numpy() - 1, comments["t"].to_numpy() // _DAY_S, 4),
            *_enrollment_events(enrollments, projects),
        ]
        del comments
        write("activity", _activity(_rng(seed, 11), m, q, events))
    manifest = {"exported_at": EXPORTED_AT, "network": NETWORK}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return counts


def _enrollment_events(
    enrollments: pd.DataFrame, projects: list[_Project]
) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Activity rows implied by enrollments: enrolling, and completing a survey project."""
    member = enrollments["member"].to_numpy().astype(np.int64) - 1
    day = enrollments["day"].to_numpy().astype(np.int64)
    stage = enrollments["stage"].cat.codes.to_numpy()
    kind = np.array([p.kind for p in projects])[enrollments["project"].cat.codes.to_numpy()]
    enrolled = stage == STAGES.index("enrolled")
    survey_done = (stage == STAGES.index("completed")) & (kind == "survey")
    return [(member[enrolled], day[enrolled], 5), (member[survey_done], day[survey_done], 1)]
