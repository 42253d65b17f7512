"""The statistics as one PNG with several panels (matplotlib, Agg, no pyplot state).

Panels: questions per day stacked by status; the most answered entries; 👍/👎; companions by
role; companions by kabupaten/kota; questions per kabupaten/kota code with the answered part.
Every label comes from ``content/messages.yaml``. Pure in effect: a ``Figure`` of its own per
call (safe in a worker thread), bytes out, no files.
"""

from __future__ import annotations

import io
import textwrap
from datetime import date

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.content.models import Messages
from bot.reports.records import STATUSES
from bot.reports.stats import Stats
from bot.reports.summary import (
    kabupaten_label,
    percent,
    period,
    region_label,
    role_label,
)

STATUS_COLOURS = {"answer": "#2e7d32", "suggest": "#f9a825", "none": "#c62828"}
UP_COLOUR, DOWN_COLOUR, BAR_COLOUR = "#2e7d32", "#c62828", "#1565c0"
ANSWERED_COLOUR, NOT_ANSWERED_COLOUR = STATUS_COLOURS["answer"], "#b0bec5"
WIDTH_IN, HEIGHT_IN, DPI = 12, 17, 100
LABEL_WIDTH = 32


def render_chart(stats: Stats, messages: Messages, since: date | None = None) -> bytes:
    """PNG bytes (1200 × 1700 pixels)."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(messages.get("report_chart_title", period=period(messages, since or stats.first_day)), fontsize=16)
    grid = figure.add_gridspec(4, 2, height_ratios=(1.1, 1, 1, 1.1))
    _daily(figure.add_subplot(grid[0, :]), stats, messages)
    _top_entries(figure.add_subplot(grid[1, 0]), stats, messages)
    _feedback(figure.add_subplot(grid[1, 1]), stats, messages)
    roles = [(role_label(messages, role), count) for role, count in stats.by_role]
    _bars(figure.add_subplot(grid[2, 0]), roles, messages.get("report_chart_roles"), messages)
    regions = [(region_label(messages, region), count) for region, count in stats.by_region]
    _bars(figure.add_subplot(grid[2, 1]), regions, messages.get("report_chart_regions"), messages)
    _kabupaten(figure.add_subplot(grid[3, :]), stats, messages)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _daily(ax: Axes, stats: Stats, messages: Messages) -> None:
    ax.set_title(messages.get("report_chart_daily"))
    positions = list(range(len(stats.days)))
    bottom = [0] * len(stats.days)
    for status in STATUSES:
        values = [day.of(status) for day in stats.days]
        ax.bar(positions, values, bottom=bottom, color=STATUS_COLOURS[status], width=0.8,
               label=messages.get(f"report_status_{status}"))  # fmt: skip
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, len(positions) // 15)  # at most ~15 date labels
    ax.set_xticks(positions[::step], [day.day.strftime("%d-%m") for day in stats.days[::step]], rotation=45)
    ax.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]  # an AutoLocator (MaxNLocator)
    ax.legend(loc="upper left")
    if not stats.total():
        _empty(ax, messages)


def _top_entries(ax: Axes, stats: Stats, messages: Messages) -> None:
    items = [(_short(entry.title), entry.count) for entry in stats.top_entries]
    _bars(ax, items, messages.get("report_chart_top"), messages)


def _feedback(ax: Axes, stats: Stats, messages: Messages) -> None:
    ax.set_title(messages.get("report_chart_feedback"))
    if not stats.votes:
        ax.set_axis_off()
        _empty(ax, messages)
        return
    up, down = messages.get("report_feedback_up"), messages.get("report_feedback_down")
    ax.pie(
        [stats.thumbs_up, stats.thumbs_down],
        labels=[f"{up} ({stats.thumbs_up})", f"{down} ({stats.thumbs_down})"],
        colors=[UP_COLOUR, DOWN_COLOUR],
        autopct=lambda pct: f"{pct:.0f}%" if pct else "",
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.45},
    )
    ax.set_aspect("equal")


def _bars(ax: Axes, items: list[tuple[str, int]], title: str, messages: Messages) -> None:
    """Horizontal bars, the largest on top."""
    ax.set_title(title)
    if not items:
        ax.set_axis_off()
        _empty(ax, messages)
        return
    labels = [label for label, _ in items][::-1]
    values = [value for _, value in items][::-1]
    ax.barh(range(len(items)), values, color=BAR_COLOUR)
    ax.set_yticks(range(len(items)), labels, fontsize=9)
    ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]  # an AutoLocator (MaxNLocator)
    for y, value in enumerate(values):
        ax.annotate(str(value), (value, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=9)


def _kabupaten(ax: Axes, stats: Stats, messages: Messages) -> None:
    """Questions per kabupaten/kota as horizontal bars, the answered part green, labelled "12 (58%)"."""
    ax.set_title(messages.get("report_chart_kabupaten"))
    rows = [row for row in stats.by_kabupaten if row.asked][::-1]  # the most asked on top
    if not rows:
        ax.set_axis_off()
        _empty(ax, messages)
        return
    positions = range(len(rows))
    answered = [row.answered for row in rows]
    ax.barh(positions, answered, color=ANSWERED_COLOUR, label=messages.get("report_status_answer"))
    ax.barh(positions, [row.asked - row.answered for row in rows], left=answered, color=NOT_ANSWERED_COLOUR,
            label=messages.get("report_chart_not_answered"))  # fmt: skip
    ax.set_yticks(positions, [_short(kabupaten_label(messages, row)) for row in rows], fontsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for y, row in enumerate(rows):
        ax.annotate(f"{row.asked} ({percent(row.answered_share)}%)", (row.asked, y), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=9)  # fmt: skip
    ax.set_xlim(right=max(row.asked for row in rows) * 1.15)  # room for the last label
    ax.legend(loc="best")


def _empty(ax: Axes, messages: Messages) -> None:
    ax.text(0.5, 0.5, messages.get("report_chart_empty"), transform=ax.transAxes, ha="center", va="center",
            color="#757575")  # fmt: skip


def _short(text: str) -> str:
    """At most two lines of LABEL_WIDTH characters, so long questions do not squeeze the panels."""
    return "\n".join(textwrap.wrap(text, LABEL_WIDTH, max_lines=2, placeholder=" …"))
