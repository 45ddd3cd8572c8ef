"""What the demo network's members write and are called, as plain data.

Kept apart from the generator so the words can be read and reviewed without reading the
random draws. The generators index these tuples by position and draw from their lengths:
any edit here changes the demo for every seed.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    """Long word lists stay readable as one string."""
    return tuple(text.split())


TOPICS = (  # what a question is about; generators index topics by position
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

# ---------------------------------------------------------------------------
# Question titles: templates per topic (in TOPICS order), filled from slot lists, so
# they read as members write them and are unique within a demo.

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

TEMPLATES: tuple[tuple[_Template, ...], ...] = (
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
# Projects: (topic index, kind, title) of possible projects; a demo uses 14-18 of them.

PROJECT_IDEAS: tuple[tuple[int, str, str], ...] = (
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

# ---------------------------------------------------------------------------
# Where members live and the fake names a platform would add (dropped by the build).

COUNTRIES = ("US", "CA", "GB", "AU", "DE", "IE", "NZ", "NL", "SE", "FR", "ES", "IT", "MX", "ZA")
COUNTRY_WEIGHTS = (  # share of members, in COUNTRIES order
    0.80, 0.07, 0.05, 0.03, 0.012, 0.009, 0.006, 0.004, 0.003, 0.003, 0.003, 0.003, 0.002, 0.002
)  # fmt: skip
US_STATES = (  # state, population in millions
    "CA 39.5 TX 29.1 FL 21.5 NY 20.2 PA 13.0 IL 12.8 OH 11.8 GA 10.7 NC 10.4 MI 10.1 NJ 9.3 "
    "VA 8.6 WA 7.7 AZ 7.2 MA 7.0 TN 6.9 IN 6.8 MD 6.2 MO 6.2 WI 5.9 CO 5.8 MN 5.7 SC 5.1 AL 5.0 "
    "LA 4.7 KY 4.5 OR 4.2 OK 4.0 CT 3.6 UT 3.3 IA 3.2 NV 3.1 AR 3.0 MS 3.0 KS 2.9 NM 2.1 NE 2.0 "
    "ID 1.8 WV 1.8 HI 1.5 NH 1.4 ME 1.4 RI 1.1 MT 1.1 DE 1.0 SD 0.9 ND 0.8 AK 0.7 DC 0.7 VT 0.6 "
    "WY 0.6"
)
# MS is more common further from the equator: northern states weigh more, southern less.
NORTH = frozenset(_words("WA OR ID MT ND SD MN WI MI NY VT NH ME MA CT RI PA OH IN IL IA NE NJ"))
SOUTH = frozenset(_words("FL TX LA MS AL GA AZ NM HI"))
REGIONS = {  # country -> ("CODE weight ...", share of members with a region)
    "US": (US_STATES, 0.95),
    "CA": ("ON 14.7 QC 8.6 BC 5.1 AB 4.4 MB 1.4 SK 1.2 NS 1.0 NB 0.8 NL 0.5 PE 0.2 YT 0.05", 0.9),
    "GB": ("ENG 56 SCT 8 WLS 3.1 NIR 1.9", 0.55),
    "AU": ("NSW 8.2 VIC 6.7 QLD 5.2 WA 2.7 SA 1.8 TAS 0.6 ACT 0.4 NT 0.25", 0.6),
    "DE": ("NW 17.9 BY 13.1 BW 11.1 NI 8.0 HE 6.3 SN 4.1 BE 3.7", 0.4),
}

FEMALE_NAMES = _words(
    "Anna Maria Sarah Emily Laura Jessica Ashley Jennifer Megan Rachel Hannah Olivia Sophie "
    "Chloé Zoë Renée Lucía Ingrid Aoife Siobhan Priya Keisha Mei Fatima Ana Grace Claire"
)
MALE_NAMES = _words(
    "James John Michael David Daniel Thomas Matthew Ryan Kevin Brian Liam Noah Lucas "
    "José André Jürgen Søren Seán Rahul Tyrone Wei Omar Mateo Luca Ben Owen"
)
OTHER_NAMES = _words("Alex Sam Jordan Taylor Casey Robin Jamie Charlie Morgan Riley")
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wilson Anderson "
    "Taylor Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis Walker Hall Young "
    "King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips "
    "Evans Turner Murphy O'Brien O'Connor MacDonald Müller Schmidt Núñez Peña Nguyen Kowalski "
    "Dubois Rossi Jensen Novak Patel Singh Chen Kim"
)
