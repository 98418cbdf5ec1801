"""`shequ tally FILE.csv --kind ordinary|special [--json]`: count one item from a file with the same rules the
votes app uses, for checking a published result by hand or from another tool."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shequ.votes.domain import (
    ItemKind,
    Tally,
    TallyFileError,
    area_text,
    decode_tally_bytes,
    percent_text,
    read_tally_csv,
    tally_item,
)


class Command(BaseCommand):
    help = (
        "Count one owners' vote item (民法典 §278) from a UTF-8 CSV file with the columns dwelling,owner,area,vote "
        "(vote: 同意, 反对, 弃权 or empty); prints participation, approval, validity and the result."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV file, one row per dwelling: dwelling,owner,area,vote")
        parser.add_argument(
            "--kind",
            required=True,
            choices=[ItemKind.ORDINARY.value, ItemKind.SPECIAL.value],
            help="ordinary: more than 1/2 of area and owners; special: at least 3/4 of both",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON with exact fractions")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror}) from exc
        try:
            holdings, votes = read_tally_csv(decode_tally_bytes(data))
        except TallyFileError as exc:
            raise CommandError(str(exc)) from exc
        tally = tally_item(holdings, votes, ItemKind(options["kind"]))
        if options["json"]:
            self.stdout.write(json.dumps(tally.as_json(), ensure_ascii=False))
        else:
            self.stdout.write("\n".join(_lines(tally)))


def _yes(flag: bool) -> str:
    return _("是") if flag else _("否")


def _lines(tally: Tally) -> list[str]:
    majority = _("达到 3/4") if tally.kind == ItemKind.SPECIAL else _("过半数")
    share = _("%(label)s：%(part)s/%(whole)s（%(pct)s），%(rule)s：%(met)s")
    return [
        share
        % {
            "label": _("参与表决面积"),
            "part": area_text(tally.participating_area),
            "whole": area_text(tally.total_area),
            "pct": percent_text(tally.participation_area),
            "rule": _("达到 2/3"),
            "met": _yes(tally.participation_area_met),
        },
        share
        % {
            "label": _("参与表决人数"),
            "part": tally.participating_owners,
            "whole": tally.total_owners,
            "pct": percent_text(tally.participation_owners),
            "rule": _("达到 2/3"),
            "met": _yes(tally.participation_owners_met),
        },
        share
        % {
            "label": _("同意面积"),
            "part": area_text(tally.agree_area),
            "whole": area_text(tally.participating_area),
            "pct": percent_text(tally.approval_area),
            "rule": majority,
            "met": _yes(tally.approval_area_met),
        },
        share
        % {
            "label": _("同意人数"),
            "part": tally.agree_owners,
            "whole": tally.participating_owners,
            "pct": percent_text(tally.approval_owners),
            "rule": majority,
            "met": _yes(tally.approval_owners_met),
        },
        _("表决有效：%(yes)s") % {"yes": _yes(tally.valid)},
        _("事项通过：%(yes)s") % {"yes": _yes(tally.passed)},
        *tally.explanation(),
    ]
