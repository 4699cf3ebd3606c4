# ruff: noqa: E501  (prose in a data table: its lines are as long as the text needs)
"""Writes bench/long/flood_barrier_inquiry.txt: an original long article (8,000+ words) about
a fictional public inquiry, for measuring the embedded model on long inputs.

The frame (opening, background, closing) is written out; the hearing days are built from
a table of witnesses and what each said, so the article is long, varied in its facts, and
keeps the same central actors throughout: the Velmora River Authority, Halden Marine Works,
Environment Minister Dana Kovac, inquiry chair Judge Ruth Abernathy and the Lower Quay
Residents' Association. Run: python bench/long/make_article.py
"""

from __future__ import annotations

from pathlib import Path

OPENING = """\
Velmora flood barrier inquiry hears that warnings were ignored for three years

The public inquiry into the failure of the Velmora tidal barrier, which let the river
overtop the Lower Quay on the night of 14 November and flooded more than 1,100 homes,
heard this week that engineers at the Velmora River Authority warned about corrosion in
the barrier's gate hinges at least three years before the flood, and that the warnings
did not reach the authority's board.

The inquiry, chaired by retired High Court judge Ruth Abernathy, was ordered by
Environment Minister Dana Kovac in December after residents of the Lower Quay marched on
the authority's offices. Judge Abernathy has said she will report by the end of next
year and that her findings will be published in full. She cannot find anyone guilty of
a crime, but she can refer evidence to prosecutors, and she has said she will not
hesitate to do so.

At the centre of the inquiry are two organisations: the Velmora River Authority, the
public body that owns and runs the barrier, and Halden Marine Works, the private
contractor that has maintained its gates under a fifteen-year contract since 2012. Each
has blamed the other. The authority says Halden told it the hinges were sound; Halden
says it reported the corrosion repeatedly and was told there was no money to fix it.

The Lower Quay Residents' Association, which represents about 600 households, has been
given the status of a core participant, which lets its lawyers question witnesses. Its
chair, Mira Santell, whose ground-floor flat on Chandler Row was flooded to a depth of
1.4 metres, said before the hearings began that residents wanted "the truth, in public,
with names attached".
"""

BACKGROUND = """\
How the barrier works

The Velmora barrier spans the river at Gullet Point, four kilometres downstream of the
town centre. It has six steel gates, each 30 metres wide, which lie flat on the riverbed
and are raised on hinges when a surge tide is forecast. Closed, they hold back the sea
while the river drains through sluices. The barrier opened in 1988 and was designed to
protect the town from a surge with a one-in-a-thousand chance of happening in any year.

On 14 November a storm surge combined with a spring tide and heavy rain upriver. The
authority's control room ordered the gates raised at 7.40pm. Five rose. Gate 4, the
second from the northern bank, stuck at about a third of its height when one of its two
hinge assemblies seized. Water poured through the gap for almost four hours. By
midnight the river had topped the quay wall along a stretch of almost two kilometres.

No one died, but 37 people were taken to hospital, most with hypothermia, and the fire
service rescued 212 people from upper floors by boat. Insurers have estimated the damage
at 180 million. More than 300 households are still in temporary accommodation.
"""

CONTRACT = """\
The maintenance contract

The contract between the Velmora River Authority and Halden Marine Works, which the
inquiry published in full in its first week, runs to 212 pages. It was signed in 2012
after a tender in which Halden was the cheapest of three bidders by about 15 percent. It
pays Halden a fixed annual fee, now about 3.2 million, to inspect the barrier, service
its hydraulics and electrics, and carry out minor repairs. Anything costing more than
50,000 is a "major works order" that the authority must approve and pay for separately.

The contract obliges Halden to report any defect it finds within 28 days and to rate it
green, amber or red. It does not oblige the authority to act on any rating, and it says
nothing about what should happen if an amber defect is not dealt with. Lawyers for the
residents have called this "a contract designed to let everyone say they did their job".
Both organisations have defended it as standard for the industry. The inquiry has asked
an expert on public contracts, Professor Lena Vogt, to report on whether it was.

The contract is due to expire in two years. The authority has said it will not be renewed
on its present terms whatever the inquiry finds, and Halden has said it will not bid for
a new contract until the inquiry has reported.
"""

# (day, witness, role, organisation, what they said, what was put to them, their answer)
HEARINGS = [
    (
        "first",
        "Tomas Lindqvist",
        "a senior structural engineer",
        "the Velmora River Authority",
        "he had inspected Gate 4 in the spring three years before the flood and found pitting on "
        "the upstream hinge pin deep enough to worry him; he wrote a four-page memo recommending "
        "that the pin be replaced within eighteen months",
        "whether he had followed the memo up when nothing happened",
        "he had raised it twice more at monthly engineering meetings, and that the minutes of both "
        "meetings recorded the item as 'noted, awaiting budget'",
    ),
    (
        "first",
        "Anneke Roos",
        "the authority's former head of asset management",
        "the Velmora River Authority",
        "she had received Mr Lindqvist's memo and had put the hinge replacement on a list of "
        "projects for the next year's capital budget, ranked eleventh of nineteen",
        "why a part that could stop a flood defence from working ranked so low",
        "the ranking was done by a scoring system that weighed cost against the chance of failure, "
        "and that the engineers had put the chance of a seized hinge at 'low' in the system",
    ),
    (
        "second",
        "Piet Osterhaus",
        "the chief engineer",
        "Halden Marine Works",
        "his company's divers had photographed corrosion on both Gate 4 hinges during the annual "
        "inspection two years before the flood, and that the photographs were attached to the "
        "inspection report sent to the authority in the July of that year",
        "whether the report had called the corrosion urgent",
        "the report rated it 'amber', meaning action within twelve months, and that Halden had "
        "quoted 1.9 million for the work in a letter the following month",
    ),
    (
        "second",
        "Grace Adeyemi",
        "a contracts manager",
        "Halden Marine Works",
        "Halden's contract paid a fixed annual fee for routine maintenance and made any replacement "
        "of major parts a separate job the authority had to order and pay for",
        "whether Halden could have replaced the hinge pins anyway, given the risk",
        "the company could not lawfully do work the authority had not ordered, and that doing it "
        "would have meant lowering the gate for six weeks without the authority's consent",
    ),
    (
        "third",
        "Hugo Brennan",
        "the authority's finance director",
        "the Velmora River Authority",
        "the authority's capital budget had been cut by a quarter over four years because the "
        "grant from the environment ministry had fallen, and that every year projects had been "
        "deferred",
        "whether the board had been told that the Gate 4 hinge was one of the deferred projects",
        "the board received a summary of deferred projects by total value, not item by item, and "
        "that the hinge would not have appeared by name",
    ),
    (
        "third",
        "Dana Kovac",
        "the environment minister",
        "the environment ministry",
        "the ministry had never been told that a part of the Velmora barrier was at risk of "
        "failing, and that if it had been told, money would have been found",
        "why the ministry's grant to the authority had fallen for four years in a row",
        "the grant had been set by a national formula that shared a smaller total among all river "
        "authorities, and that she had argued for a larger total in every spending round",
    ),
    (
        "fourth",
        "Mira Santell",
        "the chair",
        "the Lower Quay Residents' Association",
        "residents had complained to the authority about water seeping under the quay wall in two "
        "earlier winters, and had been told each time that the barrier made a serious flood "
        "'practically impossible'",
        "what residents had been told on the night of 14 November",
        "no warning reached Chandler Row before the water did, and that the first most people "
        "knew of the flood was the sound of it coming under their doors",
    ),
    (
        "fourth",
        "Callum Reyes",
        "the duty manager in the barrier control room",
        "the Velmora River Authority",
        "the control room saw that Gate 4 had stopped rising within two minutes, tried three "
        "times to restart its hydraulic rams and then called Halden's on-call engineer",
        "why the authority's flood warning for the Lower Quay went out only at 9.55pm",
        "the warning system was run by the regional emergency service, which the control room "
        "had phoned at 8.05pm, and that he did not know why the alert was delayed",
    ),
    (
        "fifth",
        "Leonie Marchetti",
        "the head of the regional emergency service",
        "the regional emergency service",
        "the alert for the Lower Quay was drafted by 8.30pm but held back while her staff checked "
        "whether the gate fault could be fixed, because an alert that proved false would make "
        "residents less likely to act on the next one",
        "who decided to hold the alert",
        "the decision was hers, that she now believed it was wrong, and that the service had "
        "since changed its rules so that an alert is sent as soon as a defence is known to fail",
    ),
    (
        "fifth",
        "Oskar Feld",
        "an independent metallurgist",
        "the inquiry's own expert panel",
        "the seized hinge pin from Gate 4, recovered after the flood, had lost almost 40 percent "
        "of its cross-section to corrosion at its narrowest point, and that its bearing had "
        "fused to it",
        "how long that degree of corrosion would take to develop",
        "at least six to eight years in river water of that salinity, so it would have been "
        "visible in any close inspection carried out in the five years before the flood",
    ),
    (
        "sixth",
        "Saskia Voorhees",
        "the authority's chief executive",
        "the Velmora River Authority",
        "she first learned of the hinge corrosion two days after the flood, when an engineer "
        "brought her Mr Lindqvist's memo, and that she was 'appalled' it had not reached her",
        "whether she accepted responsibility for the system that kept it from her",
        "as chief executive she was accountable for the authority's systems and that she had "
        "offered the board her resignation, which the board had declined pending the inquiry",
    ),
    (
        "sixth",
        "Rupert Halden",
        "the managing director",
        "Halden Marine Works",
        "his company had done everything its contract asked and more, and that it was 'simply "
        "untrue' to suggest that Halden had played down the state of the hinges",
        "an email in which a Halden manager told a colleague not to 'make a drama' of the Gate 4 "
        "findings because the contract was up for renewal",
        "he had not seen the email before the inquiry disclosed it, that it did not reflect the "
        "company's values, and that the manager concerned no longer worked for Halden",
    ),
    (
        "seventh",
        "Ingrid Solheim",
        "a former board member",
        "the Velmora River Authority",
        "the board had asked twice for a full list of deferred safety work and had been told that "
        "producing one would take staff away from the work itself",
        "whether the board should have insisted",
        "with hindsight it should have, and that she regretted accepting the answer",
    ),
    (
        "seventh",
        "Dr Amir Haddad",
        "a consultant in emergency medicine",
        "Velmora General Hospital",
        "the hospital treated 37 flood victims that night, eleven of them over 80, and that several "
        "would probably have died had the fire service reached them an hour later",
        "whether an earlier warning would have changed the numbers",
        "in his view an alert even an hour earlier would have let most of the elderly residents "
        "move upstairs or leave before the water rose",
    ),
    (
        "eighth",
        "Beatrix Lowe",
        "a hydrologist",
        "the inquiry's own expert panel",
        "her model of the night showed that with all six gates closed the river would have stayed "
        "at least 40 centimetres below the top of the quay wall",
        "whether the flood could have happened anyway because of the rain upriver",
        "the rain alone would have raised the river to within a metre of the wall but not over it, "
        "so the flooding of the Lower Quay was caused by the open gate",
    ),
    (
        "eighth",
        "Yusuf Demir",
        "a shop owner on Chandler Row",
        "the Lower Quay Residents' Association",
        "he had lost his stock, his insurance had paid a fraction of its value and he had not been "
        "able to reopen, and that his family had lived in two rooms of a relative's flat since",
        "what he wanted from the inquiry",
        "he wanted someone to stand up and say whose decision it was, and he wanted it never to "
        "happen to anyone else",
    ),
    (
        "ninth",
        "Marta Kowalczyk",
        "an internal auditor",
        "the Velmora River Authority",
        "an internal audit of the authority's asset register, carried out eighteen months before "
        "the flood, had found that risk scores for barrier parts had not been updated for six "
        "years and recommended a full review",
        "what happened to the recommendation",
        "management accepted it with a target date eleven months after the flood, and the audit "
        "committee minutes show it was never discussed in detail",
    ),
    (
        "ninth",
        "Felix Amsel",
        "an operations supervisor",
        "Halden Marine Works",
        "Halden's night crew reached the barrier at 8.50pm on 14 November and tried to free the "
        "hinge with hydraulic jacks for two hours before the surge eased enough to close the gate "
        "by lowering it and raising it again",
        "whether anything could have been done faster",
        "the crew had followed the emergency procedure written in 1994, which had not been "
        "updated for the gate controls fitted in 2009, and that some steps no longer applied",
    ),
    (
        "tenth",
        "Dana Kovac",
        "the environment minister",
        "the environment ministry",
        "recalled at her own request, that the ministry had found a letter from the authority, "
        "sent fourteen months before the flood, warning that its budget left 'a significant "
        "backlog of deferred maintenance on critical assets', though it named no asset",
        "why the letter had not been disclosed earlier",
        "it had been filed under the wrong reference and found only in a search ordered after her "
        "first appearance, and that she had disclosed it the day it was found",
    ),
    (
        "tenth",
        "Saskia Voorhees",
        "the authority's chief executive",
        "the Velmora River Authority",
        "recalled, that she had signed the letter the minister described and that its wording had "
        "been chosen to press for money without 'alarming the public'",
        "whether that choice had cost the Lower Quay its warning",
        "she could not say that, but that the letter should have named the barrier and she wished "
        "it had",
    ),
    (
        "eleventh",
        "Judge Ruth Abernathy",
        "the chair",
        "the inquiry",
        "in a statement closing the evidence hearings, that the inquiry had heard from 74 witnesses "
        "over eleven weeks and received more than 40,000 documents",
        "what comes next",
        "written closing submissions are due from all core participants within eight weeks, "
        "followed by two days of oral closing statements, and that she would then write her report",
    ),
]

SECTION = """\
Day {n}: {witness}

On the {day} week of hearings the inquiry heard from {witness}, {role} at {org}. {pronoun}
told the inquiry that {said}.

Asked by counsel to the inquiry {asker} {put}, {witness_short} said that {answer}.

{reaction}
"""

ASKERS = ["Helena Mwangi KC", "Daniel Oduya", "Helena Mwangi KC", "Priya Raman"]
REACTIONS = [
    "Lawyers for the Lower Quay Residents' Association said afterwards that the evidence showed "
    "the warning had been 'in plain sight' inside the Velmora River Authority for years.",
    "A spokesperson for Halden Marine Works said the company would respond in its written "
    "submissions and would not comment on individual pieces of evidence while the inquiry sat.",
    "The Velmora River Authority said in a statement that it was cooperating fully with the "
    "inquiry and had already replaced the hinge assemblies on all six gates.",
    "Outside the hearing room, residents of Chandler Row held up photographs of their flooded "
    "homes as witnesses arrived, as they have done on most days of the inquiry.",
    "Judge Abernathy reminded witnesses that the inquiry's task was to establish what happened "
    "and why, not to decide who should pay, which is a matter for the courts.",
    "The environment ministry said the minister would not comment until the inquiry reported.",
]

CLOSING = """\
What happens next

Judge Abernathy's report is expected to make recommendations on how flood defences are
inspected, how their condition is reported to the people who fund them, and how flood
warnings are issued. She has already written to the environment ministry recommending
that every river authority publish an annual list of safety-critical maintenance that
has been deferred, with the reason for each deferral; the ministry has said it will
consider the recommendation.

Civil claims by more than 400 households against the Velmora River Authority and Halden
Marine Works have been paused until the inquiry reports. Lawyers for the residents say
they expect the claims to be among the largest ever brought over a flood in the country.

It is not yet clear whether the inquiry will refer any evidence to prosecutors. Under
the law that created the inquiry, Judge Abernathy must first give any person she may
criticise a chance to respond, and lawyers for several witnesses have asked to see the
relevant passages before they are published. It is also unclear whether the authority's
board will accept the resignation of its chief executive, Saskia Voorhees, once the
report is out; the board has said only that it will "consider the report in full".

For the residents of the Lower Quay, the wait goes on. "We have heard a lot of people say
sorry," Mira Santell said on the last day of hearings. "What we have not yet heard is
anyone say: that was my decision, and it was wrong."
"""

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11}  # fmt: skip

# The second half of each hearing day: documents shown, as the inquiry's summaries give them.
DOCUMENTS = [
    ("an inspection log", "recorded the hinge as 'monitor' in four successive quarters"),
    (
        "a budget spreadsheet",
        "showed the hinge replacement moved from one year's list to the next "
        "three times, each time with the note 'carry forward'",
    ),
    (
        "a risk register",
        "gave Gate 4 the same score in every year from its last refit to the flood",
    ),
    (
        "a set of meeting minutes",
        "recorded a question about the barrier from a board member and "
        "the answer that it was 'in good order'",
    ),
    ("a photograph", "showed orange rust streaks down the face of the Gate 4 hinge housing"),
    (
        "an email chain",
        "showed staff at the two organisations arguing over who should pay for a diving inspection",
    ),
]


def section(index: int, row: tuple[str, ...]) -> str:
    day, witness, role, org, said, put, answer = row
    first = witness.split()[0]
    pronoun = "She" if first in {"Anneke", "Grace", "Dana", "Mira", "Leonie", "Saskia",
                                 "Ingrid", "Beatrix", "Marta", "Ruth"} else "He"  # fmt: skip
    short = witness if witness.startswith(("Dr", "Judge")) else witness.split()[-1]
    title = "Ms" if pronoun == "She" else "Mr"
    short = short if witness.startswith(("Dr", "Judge")) else f"{title} {short}"
    text = SECTION.format(
        n=ORDINALS[day], day=day, witness=witness, role=role, org=org, pronoun=pronoun,
        said=said, asker=ASKERS[index % len(ASKERS)], put=put, witness_short=short,
        answer=answer, reaction=REACTIONS[index % len(REACTIONS)],
    )  # fmt: skip
    doc, showed = DOCUMENTS[index % len(DOCUMENTS)]
    text += (
        f"\nThe inquiry was also shown {doc} from the period, which {showed}. {short} was asked "
        f"whether {doc} of that kind would normally reach senior managers at {org}, and said "
        f"that it depended on who had written it and why, and that there was no rule that it "
        f"must. Counsel noted that {doc} had been disclosed to the inquiry only after a second "
        f"request. {short} said that {pronoun.lower()} had not been involved in gathering "
        f"documents for the inquiry and could not say why it had taken two requests.\n"
    )
    follow = FOLLOW_UPS[index % len(FOLLOW_UPS)]
    text += (
        f"\nQuestioned by Tobias Wren, for the Lower Quay Residents' Association, {short} was "
        f"asked {follow[0]}. {pronoun} replied that {follow[1]}. Mr Wren then asked whether "
        f"anyone at {org} had ever visited the Lower Quay to explain the flood risk to the "
        f"people who lived there. {short} said {pronoun.lower()} did not know of any such visit "
        f"before the flood, though several had been made since. Mr Wren said residents would "
        f"note that answer, and Judge Abernathy asked him to move on.\n"
    )
    return text


FOLLOW_UPS = [
    (
        "whether anyone had ever told residents that the barrier had a known weakness",
        "as far as they knew no one had, because the weakness was not thought to be serious",
    ),
    (
        "whether the people who decided what to defer had ever seen the Lower Quay at high tide",
        "the decisions were made on paper, by people who relied on the scores they were given",
    ),
    (
        "why the authority's public statements had called the barrier 'fully operational' in the "
        "autumn before the flood",
        "the phrase meant the gates had passed their monthly test closures, which they had",
    ),
    (
        "whether a test closure would have shown a failing hinge",
        "the monthly tests raised each gate only partly and slowly, so a hinge that could still "
        "turn under light load would pass even if it could not take the full force of a surge",
    ),
    (
        "who had the power to order the hinge replaced at any time",
        "the authority's chief engineer could order urgent work up to a limit of two million "
        "without the board, and the quoted cost was under that limit",
    ),
]


def article() -> str:
    parts = [OPENING, BACKGROUND, CONTRACT, "The hearings\n"]
    parts += [section(i, row) for i, row in enumerate(HEARINGS)]
    parts.append(CLOSING)
    return "\n".join(parts)


if __name__ == "__main__":
    out = Path(__file__).with_name("flood_barrier_inquiry.txt")
    text = article()
    out.write_text(text, encoding="utf-8")
    print(f"{out}: {len(text.split())} words, {len(text)} characters")
