from assister_portal.celery import TASK_TIME_LIMIT, VISIBILITY_TIMEOUT, app


def test_celery_has_reliable_defaults():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit == TASK_TIME_LIMIT
    assert conf.broker_transport_options["visibility_timeout"] == VISIBILITY_TIMEOUT > TASK_TIME_LIMIT


def test_tasks_run_in_process_only_without_a_broker(settings):
    assert settings.CELERY_BROKER_URL.startswith("memory://")
    assert app.conf.task_always_eager is True
