"""Strings of the server's queue line (hflab/remote/queue.py, components/remote_queue.py)."""

STRINGS = {
    "remote.queue.full": {
        "zh": "服务器队列：{busy}/{slots} 个槽位在忙，{waiting} 个请求在排队（{engine}，{source}）",
        "en": "Server queue: {busy}/{slots} slots busy, {waiting} requests waiting ({engine}, {source})",
    },
    "remote.queue.no_waiting": {
        "zh": "服务器队列：{busy}/{slots} 个槽位在忙，排队的请求数服务器没有公开（{engine}，{source}）",
        "en": "Server queue: {busy}/{slots} slots busy; the server does not show how many requests wait ({engine}, {source})",
    },
    "remote.queue.no_slots": {
        "zh": "服务器队列：{busy} 个请求在运行，{waiting} 个请求在排队（{engine}，{source}）",
        "en": "Server queue: {busy} requests running, {waiting} requests waiting ({engine}, {source})",
    },
    "remote.queue.busy_only": {
        "zh": "服务器队列：{busy} 个请求在运行（{engine}，{source}）",
        "en": "Server queue: {busy} requests running ({engine}, {source})",
    },
    "remote.queue.refresh": {"zh": "刷新队列", "en": "Refresh queue"},
    "remote.queue.refresh_help": {
        "zh": "再问一次服务器。不点的话，同一台服务器的队列最多每 {seconds} 秒问一次。槽位都在忙时，新请求要排队等空出的槽位，第一个字会晚到。",
        "en": "Ask the server again. Otherwise one server's queue is asked at most every {seconds} s. While every slot is busy, a new request waits for a free one, and its first token comes later.",
    },
}
