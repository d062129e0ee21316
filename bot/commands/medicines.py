"""`medbot medicines QUESTION`: a medicine question answered from FDA labels (stdlib-only imports at module level)."""

from __future__ import annotations

import argparse

from bot.cli_common import add_json_flag, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("medicines", help="medicine questions answered word for word from FDA labels",
                       description="Same-as (brand/generic), together (two medicines or alcohol), how much (the "
                                   "label's directions) and what-is questions, answered from FDA drug labels with "
                                   "citations. No LLM; a pair the labels are silent on is said to be so.")
    p.add_argument("question", nargs="+", help="the question, e.g. \"Can I take Zyrtec and Benadryl together?\"")
    add_json_flag(p)
    p.set_defaults(handler=_medicines)


def _medicines(args: argparse.Namespace) -> int:
    from bot.errors import UserError
    from retrieval.errors import UserError as RetrievalUserError
    from retrieval.medicines import answer, plan

    text = " ".join(args.question)
    args_ = plan(text)
    if args_ is None:
        raise UserError("medicines: no medicine question recognised (name a medicine medbot knows, e.g. ibuprofen)")
    try:
        res = answer(**args_)
    except RetrievalUserError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print_json({"arguments": args_, **res.data, "markdown": res.markdown})
        return 0
    print(res.markdown)
    return 0
