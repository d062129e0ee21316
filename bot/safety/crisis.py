"""The crisis reply: a short, warm, fixed answer to thoughts of suicide or of harming oneself or a baby.

When triage finds such thoughts (`TriageResult.crisis`), with or without a plan, the chat answers with
this reply instead of a generic emergency banner and instead of a search of the health sources: a
person in crisis needs a human voice and a number to call, not "the sources do not cover this".

Written from safe-messaging guidance: 988 Suicide & Crisis Lifeline "Safe messaging best practices"
and the Action Alliance framework; Samaritans "Guidance for responding to someone who is
struggling"; WHO "Preventing suicide: a resource for media professionals" (2023 update) and
#chatsafe (Orygen, 2018). It says the person is not alone, gives the locale's crisis line (call or
text) and the emergency number for immediate danger, invites them to keep talking, and says
nothing about methods. It never sends the person to a pharmacist and never says a topic is not
covered.

Crisis lines, as the services publish them; these numbers change rarely but do change, so a
deployment checks its own locale's line against the service's page before release. US and Canada 988 (call or text, Suicide &
Crisis Lifeline / 9-8-8 Suicide Crisis Helpline); UK and Ireland Samaritans 116 123 (free, 24 hours),
text SHOUT to 85258 (UK) or HELLO to 50808 (Ireland); Australia Lifeline 13 11 14, text 0477 13 11 14;
New Zealand 1737 (call or text, "Need to talk?"); India Tele-MANAS 14416; France 3114; Germany
TelefonSeelsorge 0800 111 0 111; Spain 024; Netherlands 113 (0800-0113); Brazil CVV 188.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CrisisLine", "CRISIS_LINES", "crisis_line", "crisis_reply", "locale_for_number"]


@dataclass(frozen=True)
class CrisisLine:
    """A locale's crisis line and emergency number, as the reply words them."""

    call: str          # "call or text **988** (Suicide & Crisis Lifeline)"
    emergency: str     # the emergency number
    text: str = ""     # a separate text line, when the call line takes no texts


CRISIS_LINES: dict[str, CrisisLine] = {
    "en-US": CrisisLine("call or text **988** (Suicide & Crisis Lifeline), free, any time", "911"),
    "es-US": CrisisLine("call or text **988** (Suicide & Crisis Lifeline; press 2 for Spanish), free, any time", "911"),
    "en-CA": CrisisLine("call or text **988** (Suicide Crisis Helpline), free, any time", "911"),
    "en-GB": CrisisLine("call **Samaritans on 116 123**, free, day or night", "999",
                        "text **SHOUT** to **85258**"),
    "en-IE": CrisisLine("call **Samaritans on 116 123**, free, day or night", "112 or 999",
                        "text **HELLO** to **50808**"),
    "en-AU": CrisisLine("call **Lifeline on 13 11 14**, any time", "000", "text **0477 13 11 14**"),
    "en-NZ": CrisisLine("call or text **1737** (Need to talk?), free, any time", "111"),
    "en-IN": CrisisLine("call **Tele-MANAS on 14416**, free, any time", "112"),
    "fr-FR": CrisisLine("call **3114** (suicide prevention line), free, any time", "112"),
    "de-DE": CrisisLine("call **TelefonSeelsorge on 0800 111 0 111**, free, any time", "112"),
    "es-ES": CrisisLine("call **024** (suicide prevention line), free, any time", "112"),
    "nl-NL": CrisisLine("call **113** or **0800-0113** (113 Zelfmoordpreventie), any time", "112"),
    "pt-BR": CrisisLine("call **188** (CVV), free, any time", "192"),
}

# Emergency numbers that name one crisis line (112 and others are shared by many countries).
_BY_NUMBER = {"911": "en-US", "999": "en-GB", "000": "en-AU", "111": "en-NZ", "192": "pt-BR"}


def locale_for_number(emergency_number: str) -> str | None:
    """The locale whose crisis line goes with an emergency number, or None when the number is shared."""
    return _BY_NUMBER.get(str(emergency_number).strip())


def crisis_line(locale: str | None, emergency_number: str | None = None) -> CrisisLine:
    """The crisis line for a locale ('en-GB'); unknown locales get a general line with their emergency number.

    Args:
        locale: a locale such as 'en-US', or None.
        emergency_number: overrides the table's emergency number (a configured `emergency_number`).
    """
    line = CRISIS_LINES.get(locale or "")
    if line is None:
        number = emergency_number or "112"
        return CrisisLine("contact a **local crisis line** (a doctor, the emergency services or findahelpline.com can "
                          "give you one)", number)
    if emergency_number and emergency_number != line.emergency:
        return CrisisLine(line.call, emergency_number, line.text)
    return line


def crisis_reply(locale_or_settings=None, *, harmed: bool = False, baby: bool = False) -> str:
    """The fixed crisis reply (markdown) for a locale.

    Args:
        locale_or_settings: the settings (`locale`, `emergency` are read), a locale such as 'en-GB', an
            emergency number such as '999', or None (US).
        harmed: the message also describes harm already done (an overdose, a deep cut): the emergency
            number comes first.
        baby: the thoughts are of harming a baby: one line on keeping the baby safe is added.

    Returns:
        A short markdown reply: not alone; the crisis line to call or text; the emergency number for
        immediate danger; an invitation to keep talking.
    """
    if locale_or_settings is None:
        line = crisis_line("en-US")
    elif isinstance(locale_or_settings, str):
        value = locale_or_settings.strip()
        if value[:1].isdigit():  # an emergency number
            line = crisis_line(locale_for_number(value), value)
        else:
            line = crisis_line(value)
    else:
        line = crisis_line(getattr(locale_or_settings, "locale", None),
                           getattr(locale_or_settings, "emergency", None))
    danger = (f"**Call {line.emergency} now** if you are in immediate danger, or if you have hurt yourself or taken "
              f"something.")
    talk = f"**Talk to someone now:** {line.call}" + (f", or {line.text}" if line.text else "") + "."
    lines = ["I'm really sorry you're going through this. Thank you for telling me. **You are not alone**, and "
             "you don't have to face this by yourself.", ""]
    bullets = [danger, talk] if harmed else [talk, danger]
    if baby:
        bullets.append("If you feel you might act on thoughts of harming your baby, put the baby down somewhere safe, "
                       "such as their cot, move to another room and call for help. These thoughts can happen after a "
                       "birth, and help works; your midwife, health visitor or doctor will want to know.")
    bullets.append("If you can, tell someone you trust how you are feeling, and stay with them.")
    lines += [f"- {b}" for b in bullets]
    lines += ["", "I'm here, and I'd like to keep talking with you. What's been happening?"]
    return "\n".join(lines)
