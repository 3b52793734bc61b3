"""The Sentiment page's training run: started on a thread of its own (hflab.sentiment.workflow.TrainingJob), followed
live by a fragment that redraws itself every second (progress, ETA, loss and validation chart, a stop button), and
turned into this session's report once it ends. The run lives in session state, so a visit to another page or tab
and back finds it still going."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import altair as alt
import pandas as pd
import streamlit as st

from components.admission import admission
from components.escape import markdown_literal
from components.i18n import t
from components.messages import show_message
from components.session_owner import session_owner
from hflab.loading.sources import Source
from hflab.messages import Message, MessageError
from hflab.sentiment import data as sdata
from hflab.sentiment.evaluate import EvaluationStore, majority_label, majority_share

JOB_KEY = "sentiment_train_job"
REPORT_KEY = "sentiment_train_report"
JUST_TRAINED_KEY = "sentiment_just_trained"  # the model picker selects it on the next run
REFRESH_S = 1.0  # how often the live view redraws itself while a run goes


@dataclass
class RunningTraining:
    """A run of this session: its job, the tab that follows it ("train" or "predict"), its settings for the report."""

    job: object  # hflab.sentiment.workflow.TrainingJob
    origin: str
    patience: int
    role_name: str
    started: float
    line: list = field(default_factory=list)  # [its place] while it waits for the server's cap (HFLAB_MAX_HEAVY_JOBS)


def running() -> RunningTraining | None:
    """This session's run while it goes (or has ended and was not reported yet), else None."""
    return st.session_state.get(JOB_KEY)


def start(reviews: sdata.ReviewData, rows: int, config, mode: str, role: Source, evaluations: EvaluationStore,
          recipe: str, origin: str) -> None:
    """Start a run of `recipe` ("loop": run_training, the hand-written loop; "trainer": run_trainer_training,
    transformers' Trainer) on its own thread, its model saved as this session's own; `origin` is the tab that draws
    its progress."""
    from hflab.sentiment.workflow import TrainingJob, run_training

    if running() is not None:  # one run per session: a second click while it goes starts nothing
        return
    if recipe == "trainer":
        from hflab.sentiment.trainer_recipe import run_trainer_training as runner
    else:
        runner = run_training
    # read here: the thread has no Streamlit context for session state or cached resources
    owner, jobs, line = session_owner(), admission(), []

    def admitted(on_event, on_stage, stop):
        """The run under the operator's caps on heavy jobs: refused over the session's, in line over the server's."""
        def on_wait(place: int, waited_s: float) -> None:
            line[:] = [place]
            on_stage("queued")
            if stop.is_set():  # the stop button while in line: leave it, nothing trained
                raise MessageError("admission.stopped_in_line", level="info")

        with jobs.admit(owner, "admission.job.training", on_wait):
            line.clear()
            return runner(reviews, rows, config, mode, role, evaluations, owner=owner, on_event=on_event,
                          on_stage=on_stage, stop=stop)

    job = TrainingJob(admitted)
    st.session_state.pop(REPORT_KEY, None)  # the old report never shows beside a new run
    st.session_state[JOB_KEY] = RunningTraining(job, origin, config.patience, role.repo_id, time.monotonic(), line)


def follow(origin: str) -> bool:
    """Draw the live view of this session's run if `origin` started it; True while a run exists (its start button
    is then hidden)."""
    run = running()
    if run is None:
        return False
    if run.origin == origin:
        _live_view()
    return True


@st.fragment(run_every=REFRESH_S)
def _live_view() -> None:
    run = running()
    if run is None:
        return
    if run.job.done:
        st.rerun()  # the whole page: finish_if_done reports it and the model picker lists the new model
    events = run.job.events()
    bar_text, share = progress_text(run, events)
    st.progress(share, text=bar_text)
    if events:
        st.altair_chart(history_chart(history(events)), width="stretch")
    if run.job.stop_requested.is_set():
        st.info(t("sentiment.train.stopping"))
    elif st.button(t("sentiment.train.stop_button"), key="sentiment_train_stop"):
        run.job.request_stop()
        st.info(t("sentiment.train.stopping"))


def progress_text(run: RunningTraining, events: list) -> tuple[str, float]:
    """The progress bar's text and share: the stage before training, then step, epoch and time left."""
    stage = run.job.stage
    if stage == "testing":
        return t("sentiment.train.testing"), 1.0
    if stage == "queued" and run.line:
        return t("admission.waiting", job=t("admission.job.training"), place=run.line[0],
                 seconds=f"{time.monotonic() - run.started:.0f}"), 0.0
    if not events:
        waited = f"{time.monotonic() - run.started:.0f}"
        text = {"loading": t("common.loading", what=run.role_name), "tokenizing": t("sentiment.train.tokenizing")}
        return text.get(stage, t("sentiment.train.starting")) + " " + t("sentiment.train.waited", seconds=waited), 0.0
    latest = events[-1]
    share = min(1.0, latest.step / latest.total_steps)
    left = run.job.seconds_left()
    step = {"step": latest.step, "total": latest.total_steps, "epoch": f"{latest.epoch:.2f}"}
    if left is None:
        return t("sentiment.train.progress", **step), share
    return t("sentiment.train.eta", **step, seconds=f"{left:.0f}"), share


def history(events: list) -> list[dict]:
    """Chart rows from a run's events, language-neutral ("loss" / "val_acc"): a language switch relabels them."""
    rows = []
    for event in events:
        if event.loss is not None:
            rows.append({"step": event.step, "metric": "loss", "value": event.loss})
        if event.val_accuracy is not None:
            rows.append({"step": event.step, "metric": "val_acc", "value": event.val_accuracy})
    return rows


def finish_if_done() -> None:
    """Turn this session's ended run into its report (kept across reruns) and have the picker select the new
    model; a run that failed shows its message once. Call before the model picker is drawn."""
    run = running()
    if run is None or not run.job.done:
        return
    del st.session_state[JOB_KEY]
    error = run.job.error
    if isinstance(error, MessageError):  # no data split, no tokenizer, a model without two labels
        st.session_state[REPORT_KEY] = {"error": error.message}
        return
    if error is not None:
        raise error
    outcome = run.job.result
    result, test_acc = outcome.result, outcome.test_accuracy
    st.session_state[JUST_TRAINED_KEY] = outcome.model_key
    st.session_state[REPORT_KEY] = {
        "history": history(run.job.events()),
        "seconds": result.seconds,
        "stop_reason": result.stop_reason,
        "stop": {"steps": result.steps, "planned": result.planned_steps, "patience": run.patience,
                 "epochs": f"{result.epochs_done:.2f}"},
        "majority": ({"acc": test_acc, "share": majority_share(outcome.test_evaluation),
                      "label": majority_label(outcome.test_evaluation)} if outcome.guesses_majority else None),
        "message": {"val": f"{result.best_val_accuracy:.1%}", "test": f"{test_acc:.1%}" if test_acc is not None
                    else "—", "path": markdown_literal(outcome.path)},
    }


def last_report() -> bool:
    """This session's last run (chart, why it ended, the saved model); False when there is none."""
    report = st.session_state.get(REPORT_KEY)
    if not report:
        return False
    if "error" in report:
        show_message(report["error"])
        return True
    st.caption(t("sentiment.train.done", seconds=f"{report['seconds']:.0f}"))
    st.altair_chart(history_chart(report["history"]), width="stretch")
    show_message(stop_message(report["stop_reason"], report["stop"]))
    if report["majority"]:
        show_message(majority_message(**report["majority"]))
    if report["stop_reason"] == "time_limit" or report["majority"]:  # not a result to celebrate
        st.info(t("sentiment.train.saved", **report["message"]))
    else:
        st.success(t("sentiment.train.saved", **report["message"]))
    return True


def stop_message(reason: str, stop: dict) -> Message:
    """Why a run ended, always said: as planned, re-planned shorter, early stopping, the time limit, or a stop."""
    if reason == "time_limit":
        return Message("sentiment.train.time_limit", {"epochs": stop["epochs"]}, "warning")
    level = {"completed": "info", "replanned": "warning", "early_stopping": "info", "stopped": "info"}[reason]
    return Message(f"sentiment.train.stop.{reason}", stop, level)


def majority_message(acc: float, share: float, label: int) -> Message:
    """The model only guesses the majority class (its test accuracy is about that class's share), and what to do."""
    return Message("sentiment.majority", {"acc": f"{acc:.1%}", "share": f"{share:.1%}",
                                          "label": t(f"sentiment.label.{int(label)}")}, "warning")


def history_chart(rows: list[dict]) -> alt.Chart:
    """Training loss and validation accuracy by whole training step, one row each (their scales differ)."""
    names = {"loss": t("sentiment.train.loss"), "val_acc": t("sentiment.train.val_acc")}
    frame = pd.DataFrame(rows, columns=["step", "metric", "value"]).assign(
        metric=lambda f: f["metric"].map(lambda m: names.get(m, m)))
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("step:Q", title=t("sentiment.train.step"), axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)), color=alt.Color("metric:N", legend=None),
        row=alt.Row("metric:N", title=None),
        tooltip=[alt.Tooltip("step:Q", title=t("sentiment.train.step")),
                 alt.Tooltip("metric:N", title=t("sentiment.train.metric")),
                 alt.Tooltip("value:Q", title=t("sentiment.train.value"), format=".4f")],
    ).properties(height=140).resolve_scale(y="independent")
