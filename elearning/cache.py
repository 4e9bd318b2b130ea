"""What the e-learning pages cache: a module with its topics, its list of lessons and each lesson's text and
downloads. Every module and lesson page reads them, for everyone alike; only staff change them, in the admin.

They are kept under a version number (academy.versions) that every save or delete of a module, lesson,
attachment, question (a lesson's list entry says whether it has a quiz) or topic, and every change of a
module's topics, raises at once: the next page reads them anew. A page read between such a change and its
commit may keep the old ones, at most MODULE_CACHE_SECONDS (a minute), as with the catalogue (events.cache).
Who may read what is decided after the cache, on every request (a module that is not published: staff only). A
person's enrolment, progress and answers are never cached.
"""

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

from academy.versions import get_versioned, raise_version, set_versioned

VERSION_KEY = "elearning:modules:version"
FORMAT = 4  # raise when what is cached changes shape, so a deploy never reads the old shape


def modules_changed(**kwargs) -> None:
    raise_version(VERSION_KEY)


def _key(*parts) -> str:
    return ":".join(("elearning", f"f{FORMAT}", *map(str, parts)))


def get(*parts) -> tuple[int, object | None]:
    """The modules' version and what put() kept under these parts (e.g. "module", slug) for it, else None."""
    return get_versioned(VERSION_KEY, _key(*parts))


def put(value, version: int, *parts) -> None:
    """Keeps `value` under the version get() returned before it was read."""
    set_versioned(_key(*parts), version, value, timeout=settings.MODULE_CACHE_SECONDS)


def connect() -> None:
    """Called from ElearningConfig.ready."""
    from academy.models import Topic

    from .models import Lesson, LessonAttachment, Module, Question

    for model in (Module, Lesson, LessonAttachment, Question, Topic):
        post_save.connect(modules_changed, sender=model, dispatch_uid=f"elearning-modules-{model.__name__}-save")
        post_delete.connect(modules_changed, sender=model, dispatch_uid=f"elearning-modules-{model.__name__}-delete")
    m2m_changed.connect(modules_changed, sender=Module.topics.through, dispatch_uid="elearning-modules-topics")
