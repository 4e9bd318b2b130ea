import factory
from django.core.files.base import ContentFile

from elearning.models import Answer, Lesson, Material, Module, Question
from elearning.pdf import simple_pdf


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module
        skip_postgeneration_save = True

    title_de = factory.Sequence(lambda n: f"Modul {n}")
    title_en = factory.Sequence(lambda n: f"Module {n}")
    slug = factory.Sequence(lambda n: f"modul-{n}")
    summary_de = "Worum es geht."
    summary_en = "What it is about."
    learning_goals_en = "First goal\nSecond goal"
    is_published = True

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if extracted:
            self.topics.add(*extracted)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    position = factory.Sequence(lambda n: n)
    title_de = factory.Sequence(lambda n: f"Lektion {n}")
    title_en = factory.Sequence(lambda n: f"Lesson {n}")
    text_en = "Some **text**."
    text_de = factory.SelfAttribute("text_en")
    pass_mark = 100


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    lesson = factory.SubFactory(LessonFactory)
    position = factory.Sequence(lambda n: n)
    text_en = factory.Sequence(lambda n: f"Question {n}?")
    text_de = factory.SelfAttribute("text_en")
    kind = Question.Kind.SINGLE


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n)
    text_en = factory.Sequence(lambda n: f"Answer {n}")
    text_de = factory.SelfAttribute("text_en")
    explanation_en = factory.Sequence(lambda n: f"Explanation {n}")
    explanation_de = factory.SelfAttribute("explanation_en")
    is_correct = False


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    title_de = factory.Sequence(lambda n: f"Material {n}")
    title_en = factory.Sequence(lambda n: f"Material {n}")
    topic = factory.LazyFunction(lambda: __import__("academy.models").models.Topic.objects.first())
    kind = Material.Kind.CHECKLIST
    is_public = True
    file = factory.LazyAttribute(lambda o: ContentFile(simple_pdf(o.title_de, ["x"]), name="file.pdf"))


def quiz_lesson(module=None, *, kinds=("single", "multiple")):
    """A lesson with one question per kind: single (first answer correct), multiple (first two correct)."""
    lesson = LessonFactory(module=module) if module else LessonFactory()
    for kind in kinds:
        question = QuestionFactory(lesson=lesson, kind=kind)
        AnswerFactory(question=question, is_correct=True, text_en="Right A", explanation_en="Because A.")
        AnswerFactory(question=question, is_correct=(kind == "multiple"), text_en="Right B or wrong B")
        AnswerFactory(question=question, is_correct=False, text_en="Wrong C", explanation_en="Not C.")
    return lesson


def right_choices(lesson) -> dict[int, set[int]]:
    return {q.pk: {a.pk for a in q.answers.all() if a.is_correct} for q in lesson.questions.prefetch_related("answers")}


def wrong_choices(lesson) -> dict[int, set[int]]:
    """Wrong answers: for single choice the first wrong option, for multiple choice every wrong option."""
    found = {}
    for q in lesson.questions.prefetch_related("answers"):
        wrong = [a.pk for a in q.answers.all() if not a.is_correct]
        found[q.pk] = set(wrong[:1]) if q.kind == "single" else set(wrong)
    return found
