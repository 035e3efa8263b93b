"""Pooling activity per semester, for the federation's staff: sessions offered to the network,
seats offered, asked and accepted, by trade and by region; exported as CSV or XLSX.

A session counts in the semester it starts in, and in each of its trades (a session serving
two trades counts in both rows: the rows of a breakdown do not add up to the total).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session

from cae_contract.periods import Period
from cae_contract.registry import get_registry
from hub.trainings.repository import ActivityRepository, SessionActivity

UNKNOWN = "non renseigné"
DIMENSIONS = {"trade": "Métier", "region": "Région"}
COLUMNS = (
    "Sessions offertes",
    "Places offertes",
    "Demandes",
    "Places demandées",
    "Places accordées",
)


@dataclass
class ActivityRow:
    code: str
    label: str
    sessions: int = 0
    seats_offered: int = 0
    requests: int = 0
    seats_requested: int = 0
    seats_accepted: int = 0

    def add(self, item: SessionActivity) -> None:
        self.sessions += 1
        self.seats_offered += item.seats_offered
        self.requests += item.requests
        self.seats_requested += item.seats_requested
        self.seats_accepted += item.seats_accepted

    def values(self) -> tuple[int, int, int, int, int]:
        return (
            self.sessions,
            self.seats_offered,
            self.requests,
            self.seats_requested,
            self.seats_accepted,
        )


@dataclass
class Activity:
    period: Period
    total: ActivityRow
    breakdowns: dict[str, list[ActivityRow]] = field(default_factory=dict)


def _labels(code_list: str) -> dict[str, str]:
    annotations = get_registry().code_annotations(code_list)
    return {code: str(info.get("title", code)) for code, info in annotations.items()}


class ActivityService:
    def semester(self, session: Session, period: Period) -> Activity:
        items = ActivityRepository(session).offered_between(
            period.start.strftime("%Y%m%d"), period.end.strftime("%Y%m%d")
        )
        total = ActivityRow("total", "Ensemble du réseau")
        labels = {"trade": _labels("code-trade"), "region": _labels("code-region")}
        groups: dict[str, dict[str, ActivityRow]] = {kind: {} for kind in DIMENSIONS}
        for item in items:
            total.add(item)
            by_kind: dict[str, list[str]] = defaultdict(list)
            for kind, value in item.tags:
                by_kind[kind].append(value)
            for kind in DIMENSIONS:
                for code in by_kind.get(kind) or [UNKNOWN]:
                    row = groups[kind].get(code)
                    if row is None:
                        label = labels[kind].get(code, code)
                        row = groups[kind][code] = ActivityRow(code, label)
                    row.add(item)
        breakdowns = {
            kind: sorted(rows.values(), key=lambda r: (-r.sessions, r.label))
            for kind, rows in groups.items()
        }
        return Activity(period, total, breakdowns)

    @staticmethod
    def table(activity: Activity) -> list[list[str | int]]:
        """The activity as one table: a header, the total, then each breakdown's rows."""
        rows: list[list[str | int]] = [["Semestre", "Répartition", "Code", "Libellé", *COLUMNS]]
        period = str(activity.period)
        rows.append([period, "Total", "", activity.total.label, *activity.total.values()])
        for kind, items in activity.breakdowns.items():
            for item in items:
                rows.append([period, DIMENSIONS[kind], item.code, item.label, *item.values()])
        return rows

    def csv_bytes(self, activity: Activity) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerows(self.table(activity))
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")

    def xlsx_bytes(self, activity: Activity) -> bytes:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = f"Mutualisation {activity.period}"
        for row in self.table(activity):
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


activity_service = ActivityService()
