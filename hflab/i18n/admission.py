"""Strings for the operator's caps on heavy jobs (hflab.runtime.admission)."""

STRINGS = {
    "admission.job.story": {"zh": "写故事", "en": "story writing"},
    "admission.job.training": {"zh": "训练", "en": "training"},
    "admission.session_full": {
        "zh": "你在这个会话里已有 {count} 个耗时任务在运行，本部署每个会话最多同时运行 {cap} 个"
              "（HFLAB_MAX_JOBS_PER_SESSION）。请等它结束或停止它，再开始新的。",
        "en": "This session already runs {count} heavy job(s) and this deployment allows {cap} per session at once "
              "(HFLAB_MAX_JOBS_PER_SESSION). Wait for it to end, or stop it, then start the new one.",
    },
    "admission.stopped_in_line": {"zh": "已停止：还没轮到它，所以没有训练，也没有保存模型。",
                                  "en": "Stopped while in line: nothing was trained or saved."},
    "admission.waiting": {
        "zh": "服务器同时运行的耗时任务已达上限（HFLAB_MAX_HEAVY_JOBS）：你的{job}排在第 {place} 位，已等 {seconds} 秒。"
              "轮到你时会自动开始。",
        "en": "The server runs as many heavy jobs as it allows at once (HFLAB_MAX_HEAVY_JOBS): your {job} is number "
              "{place} in line, waiting for {seconds} s. It starts by itself when its turn comes.",
    },
}
