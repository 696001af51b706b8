from __future__ import annotations

from taskiq.schedule_sources import LabelScheduleSource

from wap.entrypoints.config import Settings
from wap.entrypoints.worker.broker import make_broker


async def test_the_schedule_has_the_two_cron_jobs_in_seoul_time() -> None:
    broker = make_broker(Settings.from_env({}))
    source = LabelScheduleSource(broker)
    await source.startup()
    schedules = await source.get_schedules()
    found = {(s.task_name, s.cron, s.cron_offset) for s in schedules}
    assert found == {
        ("flush_views", "*/3 * * * *", None),
        ("close_recruitment", "* * * * *", None),
        ("reset_view_windows", "0 0 * * *", "Asia/Seoul"),
    }
