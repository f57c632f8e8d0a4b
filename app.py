"""jdwriter's page for hiring managers: role inputs in, a drafted and validated posting
out, editable, saved with its versions and exportable. UI only: the engines, the
validator, the renderers and the store do the work."""

from __future__ import annotations

import re
import threading
import time
import uuid
from typing import Any

import streamlit as st

from chains import ui_batch, ui_engine, ui_form, ui_posting
from chains.batch import BatchInputError, BatchOptions
from chains.engines import Drafted, draft, draft_events
from chains.models import JobPosting, Report, RoleSpec
from chains.render import FILE_TYPES, file_name, render_bytes, render_html_fragment
from chains.resources import AssetError
from chains.settings import STRUCTURED_OUTPUTS, Settings, SettingsError, streamlit_secrets
from chains.store import Store, StoreError, Version, database_url
from chains.template import get_template, template_names
from chains.validate import validate

EXPORTS = {"md": "Markdown", "html": "HTML", "txt": "Plain text", "json": "JSON", "jsonld": "JSON-LD", "docx": "Word"}
TABS = ("Write", "My drafts", "Batch")
VIEWS = ("Preview", "Edit", "Report", "Export", "History")
KEEP: dict[str, Any] = {"persist_state": "session"}  # form widgets keep their values while another tab is open
CHART_COLORS = ["#2da44e", "#cf222e"]  # points kept, points lost
FORM_HEIGHT = 560  # the form scrolls on its own so Draft stays in view
_SESSION = re.compile(r"^[0-9a-f]{32}$")

st.set_page_config(page_title="jdwriter", page_icon=":material/edit_note:", layout="wide")
state = st.session_state


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> Store:
    return Store(url)


@st.cache_resource(show_spinner=False)
def _warm_up() -> threading.Thread:
    """Load the role library, templates and word lists once per server, in the background,
    so that even the first Draft click is instant."""
    sample = RoleSpec(title="Software Engineer", company="jdwriter", salary_min=1, salary_max=2)
    thread = threading.Thread(target=draft, args=(sample,), name="jdw-warm-up", daemon=True)
    thread.start()
    return thread


def open_store() -> Store | None:
    """The saved-drafts store, or None (with a visible warning) when it cannot be opened."""
    try:
        return _open_store(database_url())
    except StoreError as exc:
        state["store_problem"] = str(exc)
        return None


def session_id() -> str:
    """The browser session's id, kept in the URL so a refresh finds the same form."""
    sid = st.query_params.get("s", "")
    if not _SESSION.match(sid):
        sid = uuid.uuid4().hex
        st.query_params["s"] = sid
    return sid


def widget_key(name: str) -> str:
    return f"in_{name}"


def form_values() -> dict[str, Any]:
    return {name: state.get(widget_key(name)) for name in ui_form.FIELDS}


def fill_form(values: dict[str, Any]) -> None:
    for name, value in values.items():
        state[widget_key(name)] = value


def show_version(version: Version) -> None:
    """Make a saved version the posting on screen (edit boxes start again from it)."""
    state["draft_id"] = version.draft_id
    state["version"] = version.number
    state["template"] = version.template
    state["posting"] = version.posting
    state["report"] = validate(version.posting, get_template(version.template), version.role)
    state["edit_round"] = state.get("edit_round", 0) + 1


def restore_session(store: Store | None, sid: str) -> None:
    """First run of a browser session: bring back what this URL's session had typed."""
    saved = (store.load_form(sid) if store else None) or {}
    fill_form(ui_form.restored(saved.get("form", {})))
    state["template"] = saved.get("template") if saved.get("template") in template_names() else "standard"
    engine = {**ui_engine.defaults(streamlit_secrets()), **saved.get("engine", {})}
    state["engine"] = engine.get("choice") if engine.get("choice") in ui_engine.CHOICES else "offline"
    state["model"], state["base_url"] = str(engine["model"]), str(engine["base_url"])
    state["structured_output"] = engine["structured_output"]
    state["key_from_environment"] = bool(engine.get("key_from_environment"))
    draft_id = saved.get("draft_id")
    if store and draft_id:
        try:
            show_version(store.latest(draft_id))
        except (StoreError, AssetError):
            state.pop("draft_id", None)
    state["restored"] = True


def autosave(store: Store | None, sid: str) -> None:
    """Keep the form, the chosen template and the open draft; never the API key."""
    if store is None:
        return
    engine = {name: state[name] for name in ("model", "base_url", "structured_output")}
    data = {
        "form": ui_form.persistable(form_values()),
        "template": state["template"],
        "draft_id": state.get("draft_id"),
        "engine": {"choice": state["engine"], **engine},
    }
    if data != state.get("saved_form"):
        try:
            store.save_form(sid, data)
            state["saved_form"] = data
        except StoreError as exc:
            state["store_problem"] = str(exc)


def save_version(store: Store | None, posting: JobPosting, report: Report, note: str) -> None:
    state["posting"], state["report"] = posting, report
    if store is None or "draft_id" not in state:
        return
    try:
        state["version"] = store.add_version(state["draft_id"], posting, report, note).number
    except StoreError as exc:
        state["store_problem"] = str(exc)


def model_settings() -> Settings | None:
    """Settings for the LLM engine chosen in the sidebar; None for the offline engine."""
    if state["engine"] == "offline":
        return None
    return ui_engine.engine_settings(
        state["engine"],
        streamlit_secrets(),
        api_key=state.get("api_key", ""),
        base_url=state["base_url"],
        model=state["model"],
        structured_output=state["structured_output"],
    )


def on_stop() -> None:
    state["draft_problem"] = "Stopped. Nothing was changed; your inputs are kept."


def model_result(role: RoleSpec, template: str, settings: Settings, label: str) -> Drafted:
    """Draft with the model while the page shows its progress and a Stop button; Stop
    reruns the page, which ends this wait and discards the result."""
    run = ui_engine.ModelRun(lambda: draft_events(role, template, engine="openai", settings=settings))
    began = time.monotonic()
    try:
        with st.status(label, expanded=True) as status:
            st.button("Stop", key="stop_draft", icon=":material/stop_circle:", on_click=on_stop)
            log = st.container()
            ticker = st.empty()
            while True:
                try:
                    event = run.next(timeout=0.2)
                except Exception:
                    status.update(label="The model could not finish", state="error", expanded=False)
                    raise
                if event is None:
                    ticker.caption(ui_posting.plain(f"Waiting for {settings.endpoint} · {time.monotonic() - began:.0f} s"))
                elif event.kind in ("asking", "reply"):
                    log.caption(ui_posting.plain(event.message))
                elif event.kind == "done" and event.posting is not None and event.report is not None:
                    status.update(label="Drafted", state="complete", expanded=False)
                    return Drafted(posting=event.posting, report=event.report)
    finally:
        run.stop()


def masked(text: str, settings: Settings | None) -> str:
    """Error text with any API key masked before it is shown."""
    if settings is None:
        return text
    from chains.llm import redact  # the LLM client loads only when a model is used

    return redact(text, settings)


def settings_for_run() -> tuple[bool, Settings | None]:
    """(usable, settings) for the chosen engine; when unusable the message is already shown."""
    state.pop("draft_problem", None)
    try:
        return True, model_settings()
    except SettingsError as exc:
        state["draft_problem"] = f"Check the engine settings in the sidebar: {exc}"
        return False, None


def run_draft(store: Store | None, role: RoleSpec) -> None:
    template = state["template"]
    usable, settings = settings_for_run()
    if not usable:
        return
    try:
        if settings is None:
            drafted = draft(role, template=template)
        else:
            drafted = model_result(role, template, settings, f"Drafting with {settings.model}…")
    except (AssetError, SettingsError, ValueError) as exc:
        state["draft_problem"] = f"The posting could not be drafted: {masked(str(exc), settings)}"
        return
    except Exception as exc:  # noqa: BLE001 - a model or network failure: a message, never a traceback
        reason = masked(str(exc), settings) or type(exc).__name__
        state["draft_problem"] = f"The model could not draft this posting: {reason}"
        return
    engine = "template" if settings is None else "openai"
    state["posting"], state["report"] = drafted.posting, drafted.report
    state["edit_round"] = state.get("edit_round", 0) + 1
    if store is None:
        state.pop("draft_id", None)
        return
    try:
        version = store.create(role, drafted.posting, drafted.report, template, engine)
        state["draft_id"], state["version"] = version.draft_id, version.number
    except StoreError as exc:
        state["store_problem"] = str(exc)


def run_regenerate(store: Store | None, key: str) -> None:
    """Redraft one section with the model; the rest of the posting stays as edited."""
    posting: JobPosting = state["posting"]
    heading = ui_posting.section_label(posting, key)
    _, settings = settings_for_run()
    if settings is None or posting.role is None:
        return
    try:
        fresh = model_result(posting.role, state["template"], settings, f"Rewriting {heading} with {settings.model}…")
    except Exception as exc:  # noqa: BLE001 - a model or network failure: a message, never a traceback
        state["draft_problem"] = f"{heading} could not be regenerated: {masked(str(exc), settings) or type(exc).__name__}"
        return
    unavailable = [i.message for i in fresh.report.issues if i.code == "llm_unavailable"]
    section = fresh.posting.get(key)
    if unavailable or section is None:
        reason = unavailable[0] if unavailable else f"the model's draft has no {heading} section"
        state["draft_problem"] = f"{heading} was not changed: {reason}"
        return
    edited = ui_posting.with_section(posting, section)
    report = validate(edited, get_template(state["template"]), edited.role)
    save_version(store, edited, report, f"Regenerated {heading}")
    state["edit_round"] += 1


def on_edit(store: Store | None, key: str, widget: str) -> None:
    posting: JobPosting = state["posting"]
    edited = ui_posting.with_section_text(posting, key, state[widget])
    report = validate(edited, get_template(state["template"]), edited.role)
    save_version(store, edited, report, f"Edited {ui_posting.section_label(posting, key)}")


def on_reset(store: Store | None) -> None:
    first = store.version(state["draft_id"], 1) if store and "draft_id" in state else None
    if first is None:
        return
    report = validate(first.posting, get_template(first.template), first.role)
    save_version(store, first.posting, report, "Reset to draft")
    state["edit_round"] += 1


def on_open(store: Store, draft_id: str) -> None:
    version = store.latest(draft_id)
    fill_form(ui_form.form_values(version.role))
    show_version(version)
    state["tab"] = "Write"


def on_duplicate(store: Store, draft_id: str) -> None:
    on_open(store, store.duplicate(draft_id).draft_id)


def on_delete(store: Store, draft_id: str) -> None:
    store.delete(draft_id)
    if state.get("draft_id") == draft_id:
        for name in ("draft_id", "version", "posting", "report"):
            state.pop(name, None)


def on_restore(store: Store, number: int) -> None:
    old = store.version(state["draft_id"], number)
    report = validate(old.posting, get_template(old.template), old.role)
    save_version(store, old.posting, report, f"Restored version {number}")
    state["edit_round"] += 1


def template_title(name: str) -> str:
    """A template's display name; the key itself when it is no longer installed."""
    try:
        return get_template(name).name
    except AssetError:
        return name


def input_widget(spec: ui_form.Input) -> None:
    key = widget_key(spec.name)
    if spec.kind in ("text", "money"):
        st.text_input(spec.label, key=key, placeholder=spec.placeholder, help=spec.help, max_chars=200, live=True, **KEEP)
    elif spec.kind in ("area", "lines"):
        height = 120 if spec.kind == "area" else 110
        st.text_area(spec.label, key=key, placeholder=spec.placeholder, help=spec.help, height=height, **KEEP)
    elif spec.kind == "choice":
        st.selectbox(spec.label, spec.options, key=key, format_func=spec.option_label, help=spec.help, **KEEP)
    elif spec.kind == "int":
        st.number_input(spec.label, min_value=0, max_value=50, step=1, key=key, help=spec.help, placeholder="Any", **KEEP)
    else:
        st.date_input(spec.label, key=key, help=spec.help, format="YYYY-MM-DD", **KEEP)


def role_form() -> ui_form.FormCheck:
    """Every RoleSpec field in its group, with inline messages under bad values."""
    check = ui_form.check(form_values())
    for group, rows in ui_form.GROUPS:
        with st.container(border=True):
            st.markdown(f"**{group}**")
            for row in rows:
                for column, spec in zip(st.columns(len(row)), row, strict=True):
                    with column:
                        input_widget(spec)
                for spec in row:
                    for message in check.problems.get(spec.name, []):
                        st.error(ui_posting.plain(message), icon=":material/error:")
    return check


def draft_panel(check: ui_form.FormCheck) -> bool:
    """The template picker and the Draft button; True when the manager pressed it."""
    with st.container(border=True):
        names = template_names()
        st.selectbox(
            "Template",
            names,
            key="template",
            format_func=template_title,
            help="The sections the posting follows. Add your own YAML templates with JDW_TEMPLATES_DIR.",
            **KEEP,
        )
        pressed = st.button("Draft posting", type="primary", disabled=not check.ready, width="stretch", key="draft")
        if check.missing:
            st.caption("To draft, fill in: " + ", ".join(check.missing) + ".")
        elif check.problems:
            st.caption("Fix the messages above to draft.")
    return pressed


def result_header(posting: JobPosting, report: Report) -> None:
    st.subheader(ui_posting.plain(posting.title))
    left, right = st.columns([3, 1])
    with left:
        if report.valid:
            st.badge("Valid", icon=":material/check_circle:", color="green")
        else:
            errors = len(report.errors)
            st.badge(f"Invalid · {errors} error{'s' if errors != 1 else ''}", icon=":material/cancel:", color="red")
        saved = f"version {state['version']} saved" if state.get("draft_id") else "not saved"
        st.caption(ui_posting.plain(f"{posting.company} · {template_title(state['template'])} template · {saved}"))
    with right:
        st.metric("Score", f"{report.score}/100")
    for issue in report.issues:
        if issue.code == "llm_unavailable":
            st.warning(ui_posting.plain(issue.message), icon=":material/cloud_off:")


def preview_view(posting: JobPosting) -> None:
    with st.container(border=True):
        st.html(render_html_fragment(posting))


def on_regenerate(key: str) -> None:
    state["regenerate"] = key


def edit_view(store: Store | None, posting: JobPosting) -> None:
    top = st.columns([2, 1])
    top[0].caption("Paragraphs are plain text; bullets are lines starting with “- ”. Changes are checked and saved as you go.")
    top[1].button(
        "Reset to draft",
        icon=":material/restart_alt:",
        disabled=not state.get("draft_id"),
        on_click=on_reset,
        args=(store,),
        width="stretch",
        key="reset",
    )
    with_model = state["engine"] != "offline"
    for section in posting.sections:
        widget = f"edit_{state.get('draft_id', 'new')}_{state['edit_round']}_{section.key}"
        if widget not in state:
            state[widget] = ui_posting.section_text(section)
        text = state[widget]
        label, action = st.columns([4, 1], vertical_alignment="bottom")
        label.markdown(f"**{ui_posting.plain(section.heading)}**")
        action.button(
            "Regenerate",
            key=f"regen_{section.key}",
            icon=":material/autorenew:",
            type="tertiary",
            disabled=not with_model,
            help="Rewrite this section with the model"
            if with_model
            else "Choose OpenAI or an OpenAI-compatible server in the sidebar to rewrite a section with a model.",
            on_click=on_regenerate,
            args=(section.key,),
        )
        st.text_area(
            section.heading,
            key=widget,
            label_visibility="collapsed",
            height=ui_posting.text_height(text),
            on_change=on_edit,
            args=(store, section.key, widget),
        )


def report_view(posting: JobPosting, report: Report) -> None:
    rows = ui_posting.breakdown_rows(report)
    if rows:
        st.markdown("**Score breakdown**")
        st.bar_chart(
            rows,
            x="Category",
            y=["Kept", "Lost"],
            color=CHART_COLORS,
            horizontal=True,
            stack=True,
            x_label="",
            y_label="",
            height=36 * len(rows) + 90,
        )
    grouped = ui_posting.grouped_issues(report)
    if not grouped:
        st.success("No issues found.", icon=":material/check_circle:")
    for severity, issues in grouped:
        st.markdown(f"**{ui_posting.SEVERITY_TITLES[severity]} ({len(issues)})**")
        box = {"error": st.error, "warning": st.warning, "info": st.info}[severity]
        for issue in issues:
            text = f"**{ui_posting.plain(ui_posting.section_label(posting, issue.section))}** — {ui_posting.plain(issue.message)}"
            if issue.suggestion:
                text += f"  \n{ui_posting.plain(issue.suggestion)}"
            box(text)


def export_view(posting: JobPosting) -> None:
    st.caption("Each file is named after the role.")
    columns = st.columns(3)
    for index, (fmt, label) in enumerate(EXPORTS.items()):
        extension, mime = FILE_TYPES[fmt]
        columns[index % 3].download_button(
            f"{label} ({extension})",
            data=lambda fmt=fmt: render_bytes(posting, fmt),
            file_name=file_name(posting, fmt),
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
            key=f"export_{fmt}",
        )


def history_view(store: Store | None) -> None:
    if store is None or not state.get("draft_id"):
        st.info("Versions are kept once a draft is saved.")
        return
    for line in reversed(store.history(state["draft_id"])):
        left, right = st.columns([4, 1])
        status = "valid" if line.valid else "invalid"
        left.markdown(
            f"**Version {line.number}** · {ui_posting.plain(line.note)} · score {line.score} · {status}  \n"
            f":gray[{line.created_at:%Y-%m-%d %H:%M} UTC]"
        )
        if line.number != state.get("version"):
            right.button("Restore", key=f"restore_{line.number}", on_click=on_restore, args=(store, line.number))


def result_panel(store: Store | None) -> None:
    if state.get("draft_problem"):
        st.error(ui_posting.plain(state["draft_problem"]))
    posting: JobPosting | None = state.get("posting")
    if posting is None:
        with st.container(border=True):
            st.markdown("**Your posting appears here.**")
            st.caption(
                "Fill in the role on the left and press **Draft posting**. Everything you type is kept, "
                "even if you refresh the page, and every draft is saved under **My drafts**."
            )
        return
    report: Report = state["report"]
    result_header(posting, report)
    views = st.tabs(VIEWS, key="view", on_change="rerun")
    renderers = {
        "Preview": lambda: preview_view(posting),
        "Edit": lambda: edit_view(store, posting),
        "Report": lambda: report_view(posting, report),
        "Export": lambda: export_view(posting),
        "History": lambda: history_view(store),
    }
    for name, view in zip(VIEWS, views, strict=True):
        if view.open:
            with view:
                renderers[name]()


def write_tab(store: Store | None) -> None:
    form, result = st.columns([5, 7], gap="large")
    with form:
        with st.container(height=FORM_HEIGHT, border=False):
            check = role_form()
        pressed = draft_panel(check)
    with result:
        if pressed and check.role is not None:
            run_draft(store, check.role)
        if "regenerate" in state:
            run_regenerate(store, state.pop("regenerate"))
        result_panel(store)


def drafts_tab(store: Store | None) -> None:
    if store is None:
        st.info("Saved drafts are unavailable until the database can be opened.")
        return
    drafts = store.list_drafts()
    if not drafts:
        st.info("No saved drafts yet. Every posting you draft is saved here with all its versions.")
        return
    for item in drafts:
        with st.container(border=True):
            info, actions = st.columns([3, 2])
            status = "Valid" if item.valid else "Invalid"
            info.markdown(f"**{ui_posting.plain(item.title)}** · {ui_posting.plain(item.company)}")
            info.caption(
                f"{item.versions} version{'s' if item.versions != 1 else ''} · score {item.score} · {status} · "
                f"{ui_posting.plain(template_title(item.template))} template · updated {item.updated_at:%Y-%m-%d %H:%M} UTC"
                + (" · (copy)" if item.name.endswith("(copy)") else "")
            )
            buttons = actions.columns(3)
            buttons[0].button("Open", key=f"open_{item.id}", on_click=on_open, args=(store, item.id), width="stretch")
            buttons[1].button(
                "Duplicate", key=f"dup_{item.id}", on_click=on_duplicate, args=(store, item.id), width="stretch"
            )
            with buttons[2].popover("Delete", width="stretch"):
                st.caption("Delete this draft and all its versions?")
                st.button("Delete for good", key=f"del_{item.id}", type="primary", on_click=on_delete, args=(store, item.id))


class _BarProgress:
    """The batch engine's progress, drawn as a progress bar."""

    def __init__(self) -> None:
        self.bar = st.progress(0.0, text="Starting…")
        self.total = self.done = 0

    def start(self, total: int, skipped: int) -> None:
        self.total = total

    def row_done(self, record: dict[str, Any]) -> None:
        self.done += 1
        self.bar.progress(self.done / max(self.total, 1), text=f"Drafted {self.done} of {self.total} rows")


def batch_tab() -> None:
    st.markdown("**Draft many postings at once**")
    st.caption(
        "Upload a CSV (one role per row, columns named like the form's fields, list cells separated by “;”), "
        "a JSONL file or a YAML list. Every row is drafted with the template and engine chosen here."
    )
    upload = st.file_uploader("Roles file", type=list(ui_batch.UPLOAD_TYPES), key="batch_file")
    formats = st.multiselect(
        "Formats in the ZIP", list(EXPORTS), default=["md", "html"], format_func=EXPORTS.get, key="batch_formats"
    )
    names = template_names()
    template = st.selectbox(
        "Template", names, index=names.index(state["template"]), format_func=template_title, key="batch_template"
    )
    if st.button("Draft all rows", type="primary", disabled=upload is None or not formats, key="batch_run"):
        try:
            settings = model_settings()
            options = BatchOptions(
                engine="template" if settings is None else "openai", template=template, formats=tuple(formats), settings=settings
            )
            result = ui_batch.run_upload(upload.name, upload.getvalue(), options, _BarProgress())
        except (BatchInputError, AssetError, SettingsError) as exc:
            state.pop("batch_result", None)
            st.error(ui_posting.plain(str(exc)), icon=":material/error:")
        else:
            state["batch_result"] = result
    result: ui_batch.BatchResult | None = state.get("batch_result")
    if result is None:
        return
    summary = result.summary
    counts = summary.counts
    cells = st.columns(4)
    cells[0].metric("Rows", summary.rows)
    cells[1].metric("Valid postings", counts["valid"] + counts["repaired"] + counts["fell_back"])
    cells[2].metric("Input errors", counts["input_error"])
    cells[3].metric("Failed", counts["failed"])
    st.dataframe(ui_batch.result_rows(summary), hide_index=True)
    buttons = st.columns(2)
    buttons[0].download_button(
        "Download postings (.zip)", result.archive, file_name="postings.zip", mime="application/zip",
        on_click="ignore", icon=":material/download:", type="primary", width="stretch", key="batch_zip",
    )
    buttons[1].download_button(
        "Download summary (.csv)", result.summary_csv, file_name="summary.csv", mime="text/csv",
        on_click="ignore", icon=":material/download:", width="stretch", key="batch_csv",
    )


def on_test_connection() -> None:
    try:
        settings = model_settings()
    except SettingsError as exc:
        state["connection"] = (False, str(exc))
        return
    if settings is None:
        return
    from chains.llm import connection_test  # the LLM client loads only when a model is used

    result = connection_test(settings)
    state["connection"] = (result.ok, result.message)


def sidebar() -> None:
    with st.sidebar:
        st.subheader("Engine")
        st.radio("Draft with", list(ui_engine.CHOICES), format_func=ui_engine.CHOICES.get, key="engine")
        if state["engine"] == "offline":
            st.caption("Instant and private: postings built from your inputs and the role library, with no network.")
            return
        if state["engine"] == "compatible":
            st.text_input("Server URL", key="base_url", placeholder="http://127.0.0.1:11434/v1")
            st.selectbox(
                "Structured output",
                STRUCTURED_OUTPUTS,
                key="structured_output",
                help="json_schema for OpenAI, vLLM and Ollama; function_calling for llama.cpp's server.",
            )
        st.text_input("Model", key="model")
        st.text_input(
            "API key",
            type="password",
            key="api_key",
            placeholder="Set in the environment" if state["key_from_environment"] else "sk-…",
            help="Kept only for this browser session: never saved, logged or exported.",
        )
        st.button("Test connection", on_click=on_test_connection, icon=":material/lan:", key="test_connection")
        if "connection" in state:
            ok, message = state["connection"]
            (st.success if ok else st.error)(ui_posting.plain(message))


def main() -> None:
    _warm_up()
    sid = session_id()
    store = open_store()
    if "restored" not in state:
        restore_session(store, sid)
    sidebar()
    st.title("jdwriter")
    st.caption("Complete, validated job postings with the exact salary range.")
    if state.get("store_problem"):
        st.warning(f"Drafts are not being saved: {ui_posting.plain(state['store_problem'])}", icon=":material/warning:")
    tabs = st.tabs(TABS, key="tab", on_change="rerun", bind="query-params")
    with tabs[0]:
        if tabs[0].open:
            write_tab(store)
    with tabs[1]:
        if tabs[1].open:
            drafts_tab(store)
    with tabs[2]:
        if tabs[2].open:
            batch_tab()
    autosave(store, sid)


main()
