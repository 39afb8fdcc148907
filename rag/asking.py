"""A typed question as the plain question it stands for.

People type "midjourney ceo?", "Could you confirm the weekday on which ...", "so whos backing
the lab w/ meta", "Isn't he the CEO?", "I'm writing a piece on the deal — which app ...?". The rules
that read a question's kind and claim expect "What is the Midjourney CEO?", "What is the weekday on
which ...", "Who is backing the lab with Meta?", "Is he the CEO?", "Which app ...?". This module does
that rewriting, and nothing else: plain text rules, no model; the passages only lend their casing
and spelling.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .text import STOPWORDS

AUXILIARY = ("is are was were do does did has have had can could will would should may might must shall am "
             "isn't aren't wasn't weren't don't doesn't didn't hasn't haven't hadn't can't couldn't won't "
             "wouldn't shouldn't").split()
YES_NO_START = re.compile(rf"^(?:{'|'.join(map(re.escape, AUXILIARY))})\b", re.IGNORECASE)
WH = re.compile(r"\b(who|whom|whose|what|which|where|when|why|how)\b", re.IGNORECASE)
_FILLERS = re.compile(r"(?:,\s*)?\b(?:um+|uh+|erm+|er|uhm|hmm+)\b,?\s*", re.IGNORECASE)
_LIKE = re.compile(r"\b(still|just|really|and|but|so|is|are|was|were|that)\s+like\s+(?=[a-z])", re.IGNORECASE)  # spoken
_REPEATED = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)
_COUNTED_BLANK = re.compile(r"(?:\b(?:a|an|the)\s+)?_{2,}\s+(?=(?:people|staff|[a-z]+s)\b)")  # not "Meta ____ Labs"
_HINTED_BLANK = re.compile(r"(?:\b(?:a|an|the)\s+)?_{2,}\s*\((?:a|an|the)?\s*([^)]{1,30})\)")  # "on a ____ (a day of the week)"
_BLANK = re.compile(r"(?:\b(?:a|an|the)\s+)?_{2,}")
LABEL = re.compile(r"^[A-Za-z][\w ,'’-]{0,30}:\s+")  # "Quick check: ...", "Riddle: ..."
WHETHER = re.compile(r"^whether\s+", re.IGNORECASE)  # "(tell me) whether it shipped": yes or no

# Typed without the apostrophe, or cut short: each spelled out, so that "werent" still negates.
_SPELLED_OUT = {
    "whats": "what is", "whos": "who is", "wheres": "where is", "whens": "when is", "hows": "how is",
    "isnt": "is not", "arent": "are not", "wasnt": "was not", "werent": "were not", "dont": "do not",
    "doesnt": "does not", "didnt": "did not", "hasnt": "has not", "havent": "have not", "hadnt": "had not",
    "couldnt": "could not", "wouldnt": "would not", "shouldnt": "should not", "itll": "it will",
    "theyll": "they will", "theyre": "they are", "w/": "with", "w/o": "without", "b/c": "because",
    "wk": "week", "yr": "year", "yrs": "years", "govt": "government", "gov't": "government", "ppl": "people",
    "conf": "conference", "param": "parameter", "params": "parameters", "exec": "executive",
    "execs": "executives", "dept": "department", "approx": "approximately", "abt": "about", "thru": "through",
    "pls": "please", "plz": "please", "u": "you", "ur": "your", "b4": "before",
    "wat": "what", "wut": "what", "gen": "generation", "w": "with",
    "dob": "date of birth", "1st": "first", "2nd": "second", "3rd": "third", "rev": "revenue", "@": "at",
}
_TYPED = re.compile(r"(?<![\w/'’-])(%s)(?![\w/'’-])" % "|".join(
    re.escape(w) for w in sorted(_SPELLED_OUT, key=len, reverse=True)), re.IGNORECASE)
# Idioms and slang, in the words articles use for the same thing ("spill the beans on the tie-up" is
# "announce the partnership"). Verbs keep no tense: what is matched is their stem.
_IDIOMS = [(re.compile(pattern, re.IGNORECASE), plain) for pattern, plain in (
    (r"\bbroke\s+(?:the\s+)?news\s+(?:of|about|on)\b", "announced"),
    (r"\bbreak\s+(?:the\s+)?news\s+(?:of|about|on)\b", "announce"),
    (r"\bbr(?:eak|eaks|oke|eaking)\s+the\s+(?:\w+\s+)?news\b", "announce it"),
    (r"\b(?:went|go|goes|gone|going)\s+public\s+with\b", "announced"),
    (r"\bspill(?:s|ed|ing)?\s+the\s+beans\s+(?:on|about)\b", "announce"),
    (r"\b(?:let|lets|letting)\s+the\s+cat\s+out\s+of\s+the\s+bag\s+(?:on|about)\b", "announce"),
    (r"\btook\s+the\s+wraps\s+off\b|\btake\s+the\s+wraps\s+off\b", "unveil"),
    (r"\bmade\s+public\b", "disclosed"),
    (r"\bmade\s+((?:its|the|their|his|her)\s+[\w\s-]{1,40}?)\s+public\b", r"announced \1"),  # "made its tie-up public"
    (r"\b(?:down\s+the\s+(?:line|road)|going\s+forward|in\s+the\s+years\s+ahead)\b", "in the future"),
    (r"\b(?:give|gives|gave|giving|provides?)\s+(?:the\s+)?money\s+(?:to|for)\b", "funds"),
    (r"\bkept\s+(?:under\s+wraps|secret|private|quiet|confidential)\b", "not disclosed"),
    (r"\bcall(?:s|ed|ing)?\s+the\s+shots\b", "running"),
    (r"\bover\s+at\b", "at"),
    (r"\bwhen\s+it\s+comes\s+to\b", "in"),
    (r"\b(?:top\s+dog|head\s+honcho|big\s+cheese|top\s+boss|big\s+boss|top\s+brass|bigwig|big\s+shot|top\s+exec)\b", "chief"),
    (r"\b(?:share|shared|sharing|give|gave|giving|offer|offered)\s+(?:his|her|their|its)\s+two\s+cents\b", "comment"),
    (r"\bsecret\s+sauce\b", "technology"),
    (r"\b(?:came|come|comes|coming)\s+knocking\s+(?:on|at)\s+(.{1,40}?)['’]s\s+door\b", r"held talks with \1"),
    (r"\b(?:came|come|comes|coming)\s+(?:a-)?knocking\b", "held talks"),
    (r"\b(?:sweet-talk|sweet-talked|sweet-talking|wooing|wooed|courting|courted)\b", "in talks with"),
    (r"\b(?:get|getting|got|put|putting)\s+a\s+ring\s+on\s+it\b|\bseal(?:s|ed|ing)?\s+the\s+deal\b|"
     r"\bink(?:s|ed|ing)?\s+(?:a|the)\s+deal\b", "sign a formal agreement"),
    (r"\b(?:fell|fall|falls|falling)\s+through\b|\bwent\s+nowhere\b|\bfizzled(?:\s+out)?\b",
     "did not lead to a formal agreement"),
    (r"\bdance\s+partner\b", "partner"),
    (r"\b(?:eating|eat|eats|ate)\s+(?:\w+\s+)?dust\b|\bleft\s+\w*\s*in\s+the\s+dust\b|\bplay(?:s|ed|ing)?\s+catch-up\b",
     "lagged behind"),
    (r"\brent(?:s|ed|ing)?\s+out\b", "license"),
    (r"\b(?:hook-?up|link-up|team-up)\b", "partnership"),
    (r"\bbrain\s+trust\b|\bsquad\b", "group"),
    (r"\b(?:freshly|newly)\s+minted\b|\bbrand-new\b", "newly established"),
    (r"\b(?:steering|at\s+the\s+helm\s+of|helming)\b", "leading"),
    (r"\b(?:tycoon|mogul|magnate)\b", "billionaire"),
    (r"\bcook(?:s|ed|ing)?\s+up\b", "making"),
    (r"\bpull(?:s|ed|ing)?\s+the\s+plug\s+on\b", "cancel"),
    (r"\bin\s+the\s+pipeline\b|\bin\s+the\s+works\b", "planned"),
    (r"\b(?:shell(?:s|ed|ing)?\s+out|fork(?:s|ed|ing)?\s+over)\b", "pay"),
    (r"\bthe\s+brains?\s+behind\b", "the founder of"),
    (r"\s+=\s+", " is "),  # "Wang = MJ CEO?"
    (r"(?<=[A-Za-z])\s+(?-i:x)\s+(?=(?-i:[A-Z]))", " and "),  # "Meta x MJ partnership", not "Musk's X for"
    (r"#\s*(?=[a-z])", "number of "),  # "# employees"
    (r"\s*,\s*(?:as\s+reported|reportedly|if\s+any|as\s+it\s+(?:was|is)\s+reported)\s*,\s*", " "),  # asides
    (r"\b(?:aforementioned|aforesaid|said\s+(?=arrangement|agreement|partnership|deal))\s*", ""),
    (r"\bthe\s+entity\s+(?=[A-Z])", ""),
    (r"\b(?:serves|served|serving)\s+as\b", "is"),  # "the individual who currently serves as its CEO"
    (r"\bann\.(?=\s|\?|$)", "announcement"),
    (r"\best\.(?=\s)", "established"),
    (r"\b(?:holds|occupies)\s+the\s+(?:office|position|post|role|title|job)\s+of\s+", "is the "),
    (r"\b(?:hold|occupy)\s+the\s+(?:office|position|post|role|title|job)\s+of\s+", "be the "),
    (r"\b(?:held|occupied)\s+the\s+(?:office|position|post|role|title|job)\s+of\s+", "was the "),
    (r"\b(the|a|an|its|his|her|their)\s+(?:relevant|respective|particular|specific|exact|precise)\s+", r"\1 "),
    (r"\b(which|what)\s+co\b\.?", r"\1 company"),
    (r"\b(will|would|to|can|could|might)\b((?:\s+\w+){0,2}?)\s+put\s+out\b", r"\1\2 release"),
    (r"\bput(?:s|ting)?\s+out\b(?=\s+(?:a|an|the|its|their|his|her|any|some)\b)", "released"),
    (r"\b(?:come|comes|came|coming)\s+out\s+with\b", "released"),
)]
# "Isn't he the CEO?" and "Didn't they sign?" ask what "Is he the CEO?" and "Did they sign?" ask.
_NEGATIVE_ASKING = re.compile(r"^(is|are|was|were|do|does|did|has|have|had|could|would|should)n['’]?t\b|"
                              r"^(wo|ca)n['’]?t\b|^(is|are|was|were|do|does|did|has|have|had)\s+not\b", re.IGNORECASE)
_POSITIVE = {"wo": "will", "ca": "can"}
# Said before the question to set it up, not asked: "When Wang spoke of the deal, what did he say ...?",
# "With Meta in the picture, which product ...?": read after the question, so its words still count.
_AUXILIARIES = "|".join(map(re.escape, AUXILIARY))
_LEADING_CLAUSE = re.compile(r"^((?:when|whenever|if|after|before|since|once|while|now\s+that|given\s+that|with|as|"
                             rf"at\s+the\s+time\s+of|by\s+the\s+time|prior\s+to|following)\s+(?!(?:{_AUXILIARIES})\b)"
                             rf"[^,?]+),\s+(?=(?:who|whom|whose|what|which|where|when|why|how|{_AUXILIARIES})\b)",
                             re.IGNORECASE)  # not "When was he born, do we know?"
# Who is asking and why, before a dash: "I'm writing a piece on the deal — which app ...?", "Quick one — who ...?"
_ASKER_LEAD = re.compile(r"^(?P<lead>[^?]*?)\s+(?:[—–]|--?)\s+(?=\S)")
_ASKER_WORDS = frozenset("quick question check one random sorry hi hey hello ok okay so also btw fyi follow-up followup "
                         "up last another side note just curious sanity fact thing idea again".split())
_FIRST_PERSON = re.compile(r"^(?:i|i['’]m|i['’]ve|i['’]d|we|we['’]re|my|our)\b", re.IGNORECASE)
_HEARD = re.compile(r"\b(?:read|heard|hear|saw|seen|see|learned|learnt|understand|noticed|know|gather|remember|recall|"
                    r"told|think|thought|believe)\b", re.IGNORECASE)  # "I read that Meta ...": what it says counts
_WHO_DID = re.compile(r"\b(where|who|what|when|how|why)['’]d\b", re.IGNORECASE)  # "where'd he post it"

# Said before the question, not part of it: "So, who ...", "Wait, does ...", "Quick question: ...".
_OPENER = re.compile(r"^(?:(?:so|and|but|ok|okay|well|wait|hey|hmm+|oh|also|actually|btw|just\s+curious|"
                     r"out\s+of\s+curiosity|quick\s+question|one\s+more\s+thing|for\s+the\s+record|"
                     r"for\s+(?:our|my|your)\s+records?)\b[,!.:]?\s+)+",
                     re.IGNORECASE)
_OBLIGED = r"(?:i|we)(?:['’]d|\s+would|\s+should)\s+be\s+(?:grateful|glad|obliged)\s+if\s+you\s+(?:could|would|can)\s+"
_REQUEST = re.compile(
    r"^(?:(?:(?:can|could|would|will)\s+you\s+(?:please\s+|kindly\s+)?|please\s+|kindly\s+|"
    r"i(?:['’]d|\s+would)\s+like\s+(?:you\s+)?to\s+|i\s+(?:want|need)\s+(?:you\s+)?to\s+|help\s+me\s+|"
    rf"{_OBLIGED})?"
    r"(?:tell\s+me|show\s+me|let\s+me\s+know|remind\s+me(?:\s+of)?|confirm|verify|check|state|say|specify|clarify|indicate|"
    r"disclose|find\s+out|look\s+up|know|learn|give\s+me|share)|"
    r"do\s+you\s+(?:happen\s+to\s+)?know|any\s+idea|any\s+clue|i\s+wonder|i(?:['’]m|\s+am|\s+was)\s+wondering|wondering)"
    r"\s*,?\s+(?!about\b|more\b)", re.IGNORECASE)
_NAME_ONE = re.compile(rf"^(?:please\s+|kindly\s+|(?:can|could|would)\s+you\s+(?:please\s+)?|{_OBLIGED})?"
                       r"(?:name|identify)\s+(?:the\s+|a\s+|an\s+)?", re.IGNORECASE)
_DETERMINER = re.compile(r"^(?:the|a|an|its|his|her|their|this|that|these|those)\b", re.IGNORECASE)
# A noun phrase's own clause ("the weekday on which it was announced") starts before any verb of the request's.
_CLAUSE_OPENERS = frozenset("which that who whom whose where when of for in on at by from with behind".split())


def as_asked(question: str, kind_nouns: frozenset[str] = frozenset()) -> str:
    """``question`` as a plain question: without a leading label ("Quick check: did ..."), a request
    ("Could you confirm the weekday ...") as the question it makes ("What is the weekday ..."), and a
    bare noun phrase ("midjourney chief exec?") as the question for it. ``kind_nouns``: the nouns that
    name what a bare phrase asks for ("weekday", "chief", "firm")."""
    text = re.sub(r"\s+(?:->|=>|→)\s+", " — ", " ".join(question.strip().split()))  # "MJ 1st video model -> month?"
    stated = _TRUE_OR_FALSE.match(text) or _YES_NO_LABEL.match(text)  # "True or false: Meta took a stake."
    text = text[stated.end():] if stated else text
    text = LABEL.sub("", text) if not _NAME_ONE.match(text) else text  # not "Name the platform: ..."
    blank = _BLANK.search(text)  # "Fill in the blank: it launched in ____." asks what it launched in
    text = _COUNTED_BLANK.sub("how many ", _HINTED_BLANK.sub(r"which \1", text)) if blank else text  # "____ people"
    text = _BLANK.sub("what", text).rstrip(" .") + "?" if blank else text
    tagged = _YES_NO_TAG.search(text)  # "Meta gets a stake in MJ? Y/N pls confirm"
    text = text[:tagged.start()].rstrip(" ?.!") + "?" if tagged else _PLEASE_CONFIRM.sub("?", text)
    text = _OPENER.sub("", _hedges_dropped(_ACCORDING.sub("", text)))
    regarding = _REGARDING.match(text)  # "With respect to the Meta deal, please confirm whether ..."
    if regarding and text[regarding.end():].strip():
        # Background: its names say what the question is about, its other words would outweigh the question's own.
        named = list(dict.fromkeys(re.sub(r"['’]s$", "", n) for n in _NAMED.findall(regarding.group(1)[1:])
                                   if any(c.islower() for c in n)))
        rest = text[regarding.end():].rstrip(" ?.!")
        if named:  # "With reference to Midjourney's funding, please state who its investors are": Midjourney's
            rest = re.sub(r"\bits\b", f"{named[0]}'s", rest, count=1)
        text = rest + (f", about {' and '.join(named)}?" if named else "?")
    text = _TYPED.sub(lambda m: _same_case(_SPELLED_OUT[m.group(1).lower()], m.group(1)), text)
    text = _REPEATED.sub(r"\1", _LIKE.sub(r"\1 ", _FILLERS.sub("", text)))  # spoken: "run by the uh the lab's chief"
    text = _WHO_DID.sub(r"\1 did", text)
    for idiom, plain in _IDIOMS:
        text = idiom.sub(plain, text)
    text = re.sub(r"\b(what|who|where|when|how)['’]s\b", r"\1 is", text, flags=re.IGNORECASE)
    text = _OPENER.sub("", text)
    text = _topic_asked(_asker_lead_dropped(text))
    lead = _LEADING_CLAUSE.match(text)
    if lead and (YES_NO_START.match(text[lead.end():]) or _REQUEST.match(text[lead.end():])):
        text = text[lead.end():]  # "At the time of the deal, had Meta ...?": the claim is about Meta, not the deal
    request = _REQUEST.match(text)
    if request:
        text = _requested(text[request.end():]) or text
    text = re.sub(r"^(the\s+name\s+of)\b", r"What is \1", text, flags=re.IGNORECASE)
    text = _NEGATIVE_ASKING.sub(lambda m: _same_case(_POSITIVE.get((m.group(2) or "").lower()) or
                                                     (m.group(1) or m.group(3)).lower(), m.group()), text)
    lead = _LEADING_CLAUSE.match(text)
    if lead and len(_DASH.split(text)) == 1:  # not "Now that ..., where is its money from — who backs it?"
        text = f"{text[lead.end():].rstrip(' ?')}, {lead.group(1)[:1].lower()}{lead.group(1)[1:]}?"
    text = _NAME_ONE.sub("Which ", text)
    # "the unit he leads is called what?" asks what "What is the unit he leads called?" asks
    called = re.match(r"^(?!(?:what|which|who|how)\b)(?:((?:within|in|at|on|inside|among|for|under|after|since)\s[^,]+),\s+)?"
                      r"(.+?),?\s+(is|was|are|were)\s+(called|named|known\s+as|dubbed)\s+what\s*\??$", text, flags=re.IGNORECASE)
    if called:
        lead, subject, verb, name = called.groups()
        subject = _DETERMINER.sub(lambda d: d.group().lower(), subject, count=1)
        text = f"What {verb} {subject} {name}" + (f", {lead[:1].lower()}{lead[1:]}?" if lead else "?")
    if (stated or tagged) and not (YES_NO_START.match(text) or WHETHER.match(text)):
        text = "whether " + text  # "True or false: Meta took a stake.", "Meta video model out yet? Y/N"
    elif kind_nouns and _bare_phrase(text, kind_nouns):
        text = "What is " + ("" if _DETERMINER.match(text) else "the ") + text
    elif _statement_asked(text):
        text = "whether " + text  # "both reports say the terms weren't disclosed?"
    # "whether Wang is the CEO of X" asks what "Is Wang the CEO of X?" asks
    text = re.sub(r"^whether\s+([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)\s+(is|was)\s+(?=(?:the|a|an)\s)",
                  lambda m: f"{m.group(2).capitalize()} {m.group(1)} ", text, flags=re.IGNORECASE)
    # "Does Wang serve as the lab's chief?" asks whether he is
    text = re.sub(r"^(does|did)\s+([^?]+?)\s+(?:serve|act|function)\s+as\s+",
                  lambda m: f"{'Is' if m.group(1).lower() == 'does' else 'Was'} {m.group(2)} ", text, flags=re.IGNORECASE)
    # ... and so does "whether the CEO of X is Wang"
    text = re.sub(r"^(?i:whether)\s+((?i:the|a|an)\s+[^?]+?|[A-Z][\w&.-]*['’]s\s+[^?]+?)\s+(?i:(is|was))\s+"
                  r"([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)\s*\??$",
                  lambda m: f"{m.group(2).capitalize()} {m.group(3)} {m.group(1)}?", text)
    return text[:1].upper() + text[1:]


_NAMED = re.compile(r"\b[\w’'-]*[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")  # "Meta", "xAI", "Gadgets 360"'s "Gadgets"
_YES_NO_LABEL = re.compile(r"^[\w ]{0,20}\b(?:yes\s+or\s+no|true\s+or\s+false)\s*[:?,.-]\s*", re.IGNORECASE)  # "Quiz, yes or no: ..."
_TRUE_OR_FALSE = re.compile(r"^(?:true\s+or\s+false|true/false|t/f|fact\s+or\s+fiction|yes\s+or\s+no)\s*[:?,.-]\s*",
                            re.IGNORECASE)
_ACCORDING = re.compile(r"^according\s+to\s+(?:the|both|these)\s+(?:two\s+)?(?:articles?|reports?|pieces?|stories|sources|"
                        r"coverage|texts?)\s*,\s*", re.IGNORECASE)  # which articles say it is for the passages to show
_YES_NO_TAG = re.compile(r"[\s?.!,;:—–-]*\(?\b(?:y/n|yes/no|yes\s+or\s+no|true/false|t/f)\b\)?[\s?.!]*"
                         r"(?:(?:pls|plz|please)\s+confirm\b)?[\s?.!]*(?:[—–-]?\s*(?:need|for|pls|plz|please)\b[^?]*)?$",
                         re.IGNORECASE)  # "... ? y/n - need for partner brief"
_PLEASE_CONFIRM = re.compile(r"[\s?.!,;—–-]+(?:pls|plz|please)\s+confirm\b[\s?.!]*$", re.IGNORECASE)
_REGARDING = re.compile(r"^((?:with\s+(?:respect|regard|reference)\s+to|regarding|concerning|as\s+regards|in\s+relation\s+to|"
                        r"in\s+connection\s+with|as\s+(?:for|to)|for\s+(?:the|our|this|consistency)\b|reconciling\b|"
                        r"on\s+the\s+[^,?]{1,50}?\s+(?:piece|story|item|article|write-up|report)|on\s+the\s+(?:subject|topic|matter)\s+of)"
                        r"\b[^?]*?),\s+(?=(?:please|kindly|could|can|would|identify|name|state|confirm|tell|i|we|who|whom|whose|"
                        r"what|which|where|when|why|how|is|are|was|were|do|does|did|has|have|will)\b)", re.IGNORECASE)
_NOTE = re.compile(r"^\W*(?:need|pls|plz|please|for|asap|thx|thanks|ty|urgent)\b(?:\s+[\w'’#-]+){0,5}\W*$", re.IGNORECASE)
_OPTIONS = re.compile(r"\?\s*[\w.]+(?:/[\w.]+)+\s*\?\s*$")
_HEDGE = r"i\s+(?:think|forget|guess|believe|recall|remember|seem\s+to\s+remember|suppose)"
_HEDGE_FIRST = re.compile(rf"^(?:{_HEDGE})(?:\s+that)?\s+(?!(?:who|whom|whose|what|which|where|when|why|how)\b)",
                          re.IGNORECASE)  # "I think Alex Wang broke the news ..."
_HEDGE_LAST = re.compile(rf"(?:,|\s+[—–-]+)\s*(?:{_HEDGE}\b[^?]*|is\s+that\s+(?:right|correct|true|so)|am\s+i\s+right|"
                         rf"right|correct)\s*\?\s*$", re.IGNORECASE)  # "..., I forget?", "... — is that right?"


def _hedges_dropped(text: str) -> str:
    """``text`` without what the asker says of their own memory ("I think ...", "..., I forget?", "— is that
    right?"); with several questions, the one asking for something first: "Wasn't there something about its
    video model? What was it called?" asks what it was called, about the video model."""
    text = _HEDGE_LAST.sub("?", _HEDGE_FIRST.sub("", text))
    asked_last = text.rfind("?")
    after = text[asked_last + 1:]
    if 0 < asked_last and not WH.search(after) and (0 < len(after.split()) <= 3 or _NOTE.match(after)):
        text = text[:asked_last + 1]  # "... posted where? Need platform", "... ? pls confirm for the deck"
    text = _OPTIONS.sub("?", text)  # "... day of week? Fri/Sat/Sun?"
    asked = [q.strip() for q in re.findall(r"[^?]+\?", text)]
    asked = [q for q in asked if not re.match(rf"^(?:{_HEDGE})\b", q, re.IGNORECASE)]  # "... lab? I think nobody?"
    if len(asked) < 2:
        return asked[0] if asked and text.rstrip().endswith("?") else text
    wh = [q for q in asked if re.match(r"^(?:who|whom|whose|what|which|where|when|why|how)\b", q, re.IGNORECASE)]
    if not wh or wh[0] is asked[0]:
        return " ".join(asked)  # "When was he born? What's his birthday?" reads as typed
    others = [q.rstrip("?") for q in asked if q is not wh[0]]
    return f"{wh[0].rstrip('?')}, {', '.join(o[:1].lower() + o[1:] for o in others)}?"


def _asker_lead_dropped(text: str) -> str:
    """``text`` without a lead-in before a dash that says who asks or why ("I'm writing a piece on the deal",
    "Quick one") and asks nothing itself; a lead-in that names something ("Meta and Midjourney") stays."""
    lead = _ASKER_LEAD.match(text)
    if not lead or WH.search(lead.group("lead")) or YES_NO_START.match(text):
        return text
    rest = text[lead.end():]
    said = lead.group("lead").split()
    if all(w.lower().strip(",.!:") in _ASKER_WORDS for w in said):
        return rest  # "Quick check — mill reopened yet?"
    if not (YES_NO_START.match(rest) or WH.search(rest) or _statement_asked(rest)):
        return text
    nameless = not any(w[:1].isupper() for w in said[1:])
    if _FIRST_PERSON.match(lead.group("lead")) and not _HEARD.search(lead.group("lead")):
        topic = re.search(r"\b(?:on|about|regarding|into|covering)\s+(.+)$", lead.group("lead"), re.IGNORECASE)
        return f"{rest.rstrip(' ?')}, about {topic.group(1)}?" if topic else rest
    asks_itself = YES_NO_START.match(rest) or WH.match(rest)  # not "Image lab boss — reaction posted where?"
    return rest if len(said) <= 3 and nameless and asks_itself else text


# A topic, a dash, then what is asked of it in a few words: "Wang — birth date?", "Wang — leads which group?"
_TOPIC_DASH = re.compile(r"^(?P<topic>[^?]+?)\s+(?:[—–]|--?)\s+(?P<ask>(?:[\w'’/-]+\s*){1,5})\?$")


def _topic_asked(text: str) -> str:
    """Shorthand as a question: "Wang — birth date?" asks "What is the birth date of Wang?", "Wang — leads
    which Meta group?" asks "Wang leads which Meta group?", "MJ CEO per VentureBeat — who?" asks who is."""
    found = _TOPIC_DASH.match(text)
    if not found or YES_NO_START.match(text) or WH.search(found.group("topic")):
        return text
    topic, ask = found.group("topic").strip(), found.group("ask").strip()
    wh = WH.search(ask)
    if not wh:
        if YES_NO_START.match(ask) or re.search(r"\b(?:%s|\w+ed)\b" % "|".join(_VERBS), ask, re.IGNORECASE):
            return text
        return f"What is the {_DETERMINER.sub('', ask).strip()} of {topic}?"
    if wh.start() > 0:
        return f"{topic} {ask}?"
    return f"{ask}, {topic}?" if len(ask.split()) <= 2 else text  # "... — who?", not "... — which one was it?"


def _requested(rest: str) -> str:
    """What a request asks, from the words after it: a question word as it is, "if"/"whether" as yes or no,
    a noun phrase as "What is ...", a clause ("Meta takes a stake") as whether it holds; "" for none."""
    aside = re.match(r"^(whether|if)\s*,\s*([^,]+),\s*(.+)$", rest, re.IGNORECASE)
    if aside:  # "whether, as of the announcement, Meta had released ..." claims what comes after the aside
        return f"whether {aside.group(3).rstrip(' ?.!')}, {aside.group(2)}"
    if re.match(r"^the\s+name\s+(?!of\b)", rest, re.IGNORECASE):
        return "What is " + rest  # "confirm the name the lab gave its model"
    if re.match(r"^(?:(?:on|in|at|for|from|by|with|to|of|under)\s+)?(?:who|whom|whose|what|which|where|when|why|how|"
                r"whether|the\s+name)\b", rest, re.IGNORECASE):
        # "tell me who the person in charge of Midjourney is, like ..." asks "who is the person in charge ...".
        return _EMBEDDED.sub(r"\1 \3 \2\4", rest, count=1)
    if re.match(r"^if\s+", rest, re.IGNORECASE):
        return "whether " + rest[3:].lstrip()
    words = re.findall(r"[\w'’-]+", rest.lower())
    if not words:
        return ""
    if re.match(r"^[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*['’]s\s+[a-z]", rest):
        return "What is " + rest  # "state Meta's quarterly revenue"
    if _DETERMINER.match(rest):
        for word in words[1:]:
            if word in _CLAUSE_OPENERS:
                return "What is " + rest
            if word in AUXILIARY:
                break
        else:
            return "What is " + rest
    return "whether " + rest


_EMBEDDED = re.compile(r"^(who|what)\s+((?:the|its|his|her|their)\s+[^,?]+?|[A-Z][\w’'-]*['’]s\s+[^,?]+?)\s+(is|are|was|were)\b"
                       r"(?=\s*(?:[,?]|$))(.*)$",
                       re.IGNORECASE)


def _bare_phrase(text: str, kind_nouns: frozenset[str]) -> bool:
    """Whether ``text`` is a noun phrase naming what it wants ("weekday meta unveiled the tie-up",
    "alexandr wang date of birth") rather than a question or a statement."""
    if (YES_NO_START.match(text) or re.search(r"\b(?:what|which|how|why)\b|\b(?:who|where|when)\W*$", text, re.IGNORECASE)
            or re.search(r"\b(?:yet|already)\W*$", text, re.IGNORECASE)):
        return False  # "Meta video model released yet?" asks whether
    if len(_DASH.split(text)) > 1 or re.search(r"[.?!;,]\s+\S", text):
        return False  # a statement, then the question: "Midjourney's CEO commented. Did he say ...?"
    if re.match(r"^(?:who|whom|whose|where|when|whether|if)\b", text, re.IGNORECASE):
        return False
    words = [w.lower() for w in re.findall(r"[\w'’-]+", text)]
    named = words[-3] if len(words) >= 3 and words[-2] == "of" else words[-1] if words else ""  # "... day of week"
    if "whose" in words and words[words.index("whose") - 1] not in kind_nouns:
        return False  # "the lab was in talks with whose AI company ...": a clause asking whose, not "firm whose ..."
    if (named.removesuffix("s") in kind_nouns and len(words) >= 3
            and all(w not in STOPWORDS or w in ("of", "the") for w in words)):
        return True  # keywords, what is asked last: "meta midjourney partnership announced day of week"
    for word in words[:4]:
        singular = word[:-1] if word.endswith("s") and word[:-1] in kind_nouns else word
        if singular in kind_nouns:
            return True
        if (word in STOPWORDS and word not in ("the", "a", "an")) or word in _VERBS:
            return False  # "now that the lab has ...", "Meta get ownership share?": a clause, not a name
    return False


_VERBS = frozenset("get gets got give gives gave take takes took have make makes made own owns hold holds use uses "
                   "want wants need needs say says said see sees".split())


def _statement_asked(text: str) -> bool:
    """A statement typed with a question mark: it asks whether it holds."""
    return (text.rstrip().endswith("?") and (len(text.split()) >= 4 or re.search(r"\b(?:yet|already)\W*$", text) is not None)
            and not WH.search(text)
            and not YES_NO_START.match(text) and not WHETHER.match(text))


def _same_case(spelled: str, typed: str) -> str:
    return spelled[:1].upper() + spelled[1:] if typed[:1].isupper() else spelled


_DASH = re.compile(r"\s+(?:[—–]|--?)\s+|(?<=[.!])\s+(?=[A-Z]|(?:%s)\b)" % "|".join(
    ["who", "what", "which", "where", "when", "why", "how"] + [re.escape(a) for a in AUXILIARY]))


def tail_question(text: str) -> str:
    """The question after a dash or a full stop when what comes before it is a statement: "Midjourney talked
    with xAI before the deal — did those talks end in an agreement?" asks yes or no."""
    pieces = _DASH.split(text)
    if len(pieces) < 2:
        return text
    before, tail = " ".join(pieces[:-1]), pieces[-1]
    opens_question = YES_NO_START.match(before) or re.match(
        r"^(?:(?:on|in|at|from|for|by|with|to|of|about|during|under)\s+)?(?:who|whom|whose|what|which|where|when|why|how)\b",
        before, re.IGNORECASE)
    asks = YES_NO_START.match(tail) or WH.search(tail)
    return tail if asks and not opens_question else text


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_STARTS = re.compile(r"(?:^|[.!?:;\"“”(]\s*|\n\s*)$")


def truecased(question: str, texts: list[str]) -> str:
    """``question``'s lower-case words as ``texts`` write them, where they write them capitalised:
    "is alexandr wang midjourneys ceo" → "is Alexandr Wang Midjourney's CEO". A word the texts also
    write in lower case, or only at a sentence's start, is left as typed."""
    forms: dict[str, Counter] = {}
    for text in texts:
        for line in text.splitlines():
            words = _WORD.findall(line)
            if len(words) >= 4 and sum(w[0].isupper() for w in words) > 0.6 * len(words):
                continue  # a title in title case capitalises every word
            for match in _WORD.finditer(line):
                if match.group()[0].isupper() and _STARTS.search(line[: match.start()]):
                    continue  # a sentence's first word says nothing of its case
                forms.setdefault(match.group().lower(), Counter())[match.group()] += 1

    def cased(word: str) -> str | None:
        seen = forms.get(word)
        if not seen:
            return None
        form, count = seen.most_common(1)[0]
        return form if form != word and count >= 4 * seen[word] else None

    def recase(match: re.Match) -> str:
        word = match.group()
        if word != word.lower() or len(word) < 2:
            return word
        form = cased(word)
        if form:
            return form
        if word.endswith("s") and word not in forms and (owner := cased(word[:-1])):
            return owner + "'s"  # "midjourneys ceo"
        return word

    return _WORD.sub(recase, question)


def respelled(question: str, texts: list[str]) -> str:
    """``question`` with a misspelt word ("offical", "partnershp") as ``texts`` spell it, where one word of
    theirs is a single slip away. A word counts as misspelt when the tokenizer has no single token for it,
    as it has for common words, and ``texts`` never write it."""
    written: set[str] = {w.lower() for text in texts for w in _WORD.findall(text) if len(w) >= 4}

    def fixed(match: re.Match) -> str:
        word = match.group()
        if (len(word) < 5 or not word.isalpha() or word.lower() in written or word.lower() in _SPELLED_OUT
                or _known_form(word.lower())):  # "werent" is spelled out later, not respelt "weren"
            return word
        near = {w for w in written if w[0] == word[0].lower() and _one_slip(word.lower(), w)}
        if not near and word.islower() and len(word) >= 6:
            near = {w for w in _slips(word) if _known(w)}  # "offical": the one common word it can be
        return _same_case(near.pop(), word) if len(near) == 1 else word

    return _names_as_written(_WORD.sub(fixed, question), texts)


def _names_as_written(question: str, texts: list[str]) -> str:
    """Names written another way than the passages write them: "Mid-journey" for Midjourney, "Gadgets360"
    for Gadgets 360, "Alex Wang" for Alexandr Wang (when one name in the passages fits)."""
    said = "\n".join(texts)
    lowered = said.lower()

    def joined(match: re.Match) -> str:
        word = match.group(1) + match.group(2)
        found = re.search(rf"\b{re.escape(word)}\b", said, re.IGNORECASE)
        return found.group() if found and match.group() not in said else match.group()

    def spaced(match: re.Match) -> str:
        found = re.search(rf"\b{re.escape(match.group(1))}\s+{match.group(2)}\b", said, re.IGNORECASE)
        return found.group() if found and match.group().lower() not in lowered else match.group()

    def first_named(match: re.Match) -> str:
        if f"{match.group(1)} {match.group(2)}" in said:
            return match.group(1)
        full = set(re.findall(rf"\b({re.escape(match.group(1))}[a-z]+)\s+{re.escape(match.group(2))}\b", said))
        return full.pop() if len(full) == 1 else match.group(1)

    def expanded(match: re.Match) -> str:
        short = match.group()
        if re.search(rf"\b{short}\b", said):
            return short
        full = {name for name in re.findall(r"\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*", said) if _abbreviates(short, name)}
        return full.pop() if len(full) == 1 else short

    def lettered(match: re.Match) -> str:
        joined = re.sub(r"\s+", "", match.group()).upper()
        return joined if re.search(rf"\b{joined}\b", said) else match.group()

    def numbered(match: re.Match) -> str:
        digits = _spoken_number(match.group().lower().split())
        return digits if len(digits) >= 2 and re.search(rf"\b{digits}\b", said) else match.group()  # not "one"

    def run_together(text: str) -> str:
        for first, second in re.findall(r"(?=\b([A-Za-z]{3,})\s+([A-Za-z]{3,})\b)", text):
            found = re.search(rf"\b{first}{second}\b", said, re.IGNORECASE)
            if found and not re.search(rf"\b{first}\s+{second}\b", said, re.IGNORECASE):
                text = re.sub(rf"\b{first}\s+{second}\b", found.group(), text)
        return text

    def lettered_number(match: re.Match) -> str:
        full = set(re.findall(rf"\b{match.group(1)}[a-z]+\s+{match.group(2)}\b", said))
        return full.pop() if len(full) == 1 and match.group() not in said else match.group()

    question = re.sub(r"(?<![\w'’])[a-zA-Z](?:\s+[a-zA-Z]){1,3}\b", lettered, question)  # spoken: "a i", "c e o"
    question = re.sub(rf"\b(?:{_NUMBER_WORDS})(?:\s+(?:{_NUMBER_WORDS}))*\b", numbered, question)  # not "the Big Ten"
    question = re.sub(r"(?<![\w/])[A-Z]{2,4}(?![\w/])", expanded, question)  # "MJ" for Midjourney, "FB" for Facebook
    question = re.sub(r"\b([A-Z])(\d{2,4})\b", lettered_number, question)  # "G360" for Gadgets 360
    question = run_together(question)  # "venture beat" for VentureBeat
    question = re.sub(r"\b([A-Z][a-z]+)-([a-z]+)\b", joined, question)
    question = re.sub(r"\b([A-Za-z]{3,})(\d+)\b", spaced, question)
    return re.sub(r"\b([A-Z][a-z]{2,})(?=\s+([A-Z][a-z]+)\b)", first_named, question)


_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen " \
         "seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_NUMBER_WORDS = "|".join(_UNITS + _TENS + ["hundred"])


def _spoken_number(words: list[str]) -> str:
    """The digits of a number said in words: "three sixty" → "360" (as a name says it), "three hundred
    sixty" → "360", "twenty five" → "25"; "" when the words are no number."""
    values = []
    for word in words:
        if word == "hundred" and values and values[-1] < 10:
            values[-1] *= 100
        elif word in _TENS:
            values.append(10 * (2 + _TENS.index(word)))
        elif word in _UNITS:
            if values and values[-1] % 100 and values[-1] >= 20 and values[-1] % 10 == 0:
                values[-1] += _UNITS.index(word)  # "twenty five"
            elif values and values[-1] % 100 == 0 and values[-1] >= 100:
                values[-1] += _UNITS.index(word)  # "three hundred six"
            else:
                values.append(_UNITS.index(word))
        else:
            return ""
    if len(values) == 2 and values[0] >= 100 and values[1] < 100:
        return str(values[0] + values[1])  # "three hundred sixty"
    return "".join(str(v) for v in values)  # "three sixty", as spoken names are


def _abbreviates(short: str, name: str) -> bool:
    """Whether ``short`` is ``name``'s initials ("MSL", Meta Superintelligence Labs), or the letters that start
    the word and a part of it ("MJ", Midjourney)."""
    words = name.split()
    if len(words) > 1:
        return len(words) == len(short) and all(w[0] == c for w, c in zip(words, short))
    if "".join(c for c in name if c.isupper()) == short and len(short) > 1:
        return True  # "VB", VentureBeat
    rest = name[1:].lower()
    if name[0] != short[0] or len(name) < 3 * len(short) or not name[1:].islower():
        return False
    for letter in short[1:].lower():
        at = rest.find(letter, 1)
        if at < 0:
            return False
        rest = rest[at + 1:]
    return True


@lru_cache(maxsize=4096)
def _known(word: str) -> bool:
    import tiktoken  # loaded on first use: most questions are spelt as the articles spell them

    return len(tiktoken.get_encoding("cl100k_base").encode(" " + word)) == 1


def _slips(word: str) -> set[str]:
    """Every word one letter added, dropped, changed or two swapped away from ``word``."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b} | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in letters} | {a + c + b for a, b in splits for c in letters}) - {word}


_SUFFIXES = ("ing", "ed", "es", "s", "er", "ers", "ly", "ment", "ments", "ness", "able")


def _known_form(word: str) -> bool:
    """Whether ``word`` is a common word or a common word with an ending: "erasing" is "erase" + "ing"."""
    if _known(word):
        return True
    for suffix in _SUFFIXES:
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3:
            if _known(base) or _known(base + "e") or (len(base) > 3 and base[-1] == base[-2] and _known(base[:-1])):
                return True
    return False


def _one_slip(typed: str, word: str) -> bool:
    """Whether ``word`` is ``typed`` with one letter added, dropped, changed or two swapped."""
    if abs(len(typed) - len(word)) > 1 or typed == word:
        return False
    if len(typed) == len(word):
        diff = [i for i, (a, b) in enumerate(zip(typed, word)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and typed[diff[0]] == word[diff[1]] and typed[diff[1]] == word[diff[0]])
    short, long = sorted((typed, word), key=len)
    i = next((i for i, (a, b) in enumerate(zip(short, long)) if a != b), len(short))
    return short[i:] == long[i + 1:]
