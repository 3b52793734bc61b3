"""Strings of the remote backend's safety limits that are newer than hflab/i18n/remote.py (issue 38)."""

STRINGS = {
    "remote.error.stopped": {
        "zh": "已停止：请求在服务器回答之前被取消，连接已关闭。",
        "en": "Stopped: the request was cancelled before the server answered, and the connection was closed.",
    },
}
