"""The seven topics in Turkish, Arabic, Russian and Ukrainian (names as in docs/glossary.md).

Fills only empty columns, so a name staff have changed in the admin stays; `seed` is also called by the browser
crawl after a test flushed the database (tests/browser/test_crawl.py).
"""

from django.db import migrations

# slug -> language -> (name, description)
TOPICS = {
    "projektmanagement": {
        "tr": ("Proje yönetimi", "Projeleri profesyonelce nasıl hayata geçiririz? Onları nasıl değerlendirebiliriz?"),
        "ar": ("إدارة المشاريع", "كيف ننفّذ المشاريع بشكل احترافي؟ وكيف يمكننا تقييمها؟"),
        "ru": ("Управление проектами", "Как нам профессионально реализовывать проекты? Как мы можем их оценивать?"),
        "uk": ("Управління проєктами", "Як нам професійно втілювати проєкти? Як ми можемо їх оцінювати?"),
    },
    "finanzierung": {
        "tr": ("Finansman", "Hibelere nasıl başvururuz? Hibe programları dışında hangi finansman yolları var?"),
        "ar": ("التمويل", "كيف نتقدّم بطلب للحصول على منح التمويل؟ وما طرق التمويل المتاحة إلى جانب برامج المنح؟"),
        "ru": (
            "Финансирование",
            "Как нам подавать заявки на грантовые средства? Какие есть источники финансирования помимо грантовых программ?",
        ),
        "uk": (
            "Фінансування",
            "Як нам подавати заявки на грантові кошти? Які є джерела фінансування, крім грантових програм?",
        ),
    },
    "strategieentwicklung": {
        "tr": (
            "Strateji geliştirme",
            "Federasyon olarak neredeyiz? Nereye varmak istiyoruz ve önceliklerimizi nasıl belirliyoruz?",
        ),
        "ar": ("تطوير الاستراتيجية", "أين نقف كاتحاد؟ وإلى أين نريد أن نصل، وكيف نحدّد أولوياتنا؟"),
        "ru": (
            "Разработка стратегии",
            "Где мы сейчас находимся как федерация? Куда мы хотим двигаться и как расставляем приоритеты?",
        ),
        "uk": (
            "Розробка стратегії",
            "Де ми зараз перебуваємо як федерація? Куди ми хочемо рухатися і як визначаємо пріоритети?",
        ),
    },
    "personalentwicklung": {
        "tr": (
            "Personel gelişimi ve yönetimi",
            "Ücretli çalışanların ve gönüllülerin yapılarını nasıl birbirine bağlayabiliriz? İyi ekip çalışması nasıl işler?",
        ),
        "ar": (
            "تطوير الموارد البشرية وإدارتها",
            "كيف يمكننا الربط بين هياكل الموظفين بأجر والمتطوعين؟ وما الذي يجعل العمل الجماعي ناجحًا؟",
        ),
        "ru": (
            "Развитие персонала и управление им",
            "Как нам объединить структуры штатных сотрудников и волонтёров? Что делает командную работу хорошей?",
        ),
        "uk": (
            "Розвиток персоналу та управління ним",
            "Як нам поєднати структури штатних працівників і волонтерів? Що робить командну роботу доброю?",
        ),
    },
    "oeffentlichkeitsarbeit": {
        "tr": ("Halkla ilişkiler", "Dışarıya hangi mesajı veriyoruz – ve hangi kanallarla?"),
        "ar": ("العلاقات العامة", "ما الرسالة التي نوجّهها إلى الجمهور – وعبر أي قنوات؟"),
        "ru": ("Связи с общественностью", "Какое сообщение мы транслируем вовне – и по каким каналам?"),
        "uk": ("Зв'язки з громадськістю", "Яке повідомлення ми транслюємо назовні – і якими каналами?"),
    },
    "mitgliedermanagement": {
        "tr": ("Üye yönetimi", "Üyelerimizi nasıl kazanır, bağlı tutar ve sürece katarız?"),
        "ar": ("إدارة الأعضاء", "كيف نستقطب أعضاءنا ونحافظ عليهم ونشركهم؟"),
        "ru": ("Работа с членами", "Как мы привлекаем, удерживаем и вовлекаем наших членов?"),
        "uk": ("Робота з членами", "Як ми знаходимо нових членів, утримуємо їх і залучаємо до участі?"),
    },
    "interessenvertretung": {
        "tr": (
            "Siyasi savunuculuk",
            "Kendi çıkarlarımızı ve üyelerimizin çıkarlarını siyaset nezdinde nasıl temsil ederiz?",
        ),
        "ar": ("المناصرة السياسية", "كيف نمثّل مصالحنا ومصالح أعضائنا أمام صانعي القرار السياسي؟"),
        "ru": (
            "Представительство интересов в политике",
            "Как мы представляем свои интересы и интересы наших членов перед политиками?",
        ),
        "uk": (
            "Представництво інтересів у політиці",
            "Як ми представляємо свої інтереси та інтереси наших членів перед політиками?",
        ),
    },
}


def seed(apps, schema_editor):
    Topic = apps.get_model("academy", "Topic")
    for topic in Topic.objects.filter(slug__in=TOPICS):
        changed = []
        for language, (name, description) in TOPICS[topic.slug].items():
            for field, text in ((f"name_{language}", name), (f"description_{language}", description)):
                if not getattr(topic, field):
                    setattr(topic, field, text)
                    changed.append(field)
        if changed:
            topic.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("academy", "0008_six_languages")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
