"""The Organisationscheck's statements in Turkish, Arabic, Russian and Ukrainian.

Keyed by the German text the statements were seeded with (0002); fills only empty columns, so wording staff
have changed in the admin stays. `seed` is also called by the browser crawl after a test flushed the database.
"""

from django.db import migrations

# German text -> language -> text
STATEMENTS = {
    "Wir planen unsere Projekte mit klaren Zielen, Zeitplan und Verantwortlichkeiten.": {
        "tr": "Projelerimizi net hedefler, bir zaman planı ve belirli sorumluluklarla planlıyoruz.",
        "ar": "نخطّط لمشاريعنا بأهداف واضحة وجدول زمني وتوزيع محدّد للمسؤوليات.",
        "ru": "Мы планируем наши проекты с чёткими целями, графиком и распределением ответственности.",
        "uk": "Ми плануємо наші проєкти з чіткими цілями, графіком і розподілом відповідальності.",
    },
    "Wir werten unsere Projekte regelmäßig aus und lernen daraus.": {
        "tr": "Projelerimizi düzenli olarak değerlendiriyor ve bundan ders çıkarıyoruz.",
        "ar": "نقيّم مشاريعنا بانتظام ونتعلّم منها.",
        "ru": "Мы регулярно оцениваем наши проекты и делаем из этого выводы.",
        "uk": "Ми регулярно оцінюємо наші проєкти й робимо з цього висновки.",
    },
    "Wir behalten Budget und Fristen unserer Projekte im Blick.": {
        "tr": "Projelerimizin bütçesini ve son tarihlerini takip ediyoruz.",
        "ar": "نتابع ميزانية مشاريعنا ومواعيدها النهائية.",
        "ru": "Мы следим за бюджетом и сроками наших проектов.",
        "uk": "Ми стежимо за бюджетом і термінами наших проєктів.",
    },
    "Wir kennen die Förderprogramme, die für uns in Frage kommen.": {
        "tr": "Bizim için uygun olan hibe programlarını biliyoruz.",
        "ar": "نعرف برامج المنح المناسبة لنا.",
        "ru": "Мы знаем грантовые программы, которые нам подходят.",
        "uk": "Ми знаємо грантові програми, які нам підходять.",
    },
    "Wir können Förderanträge und Verwendungsnachweise selbstständig erstellen.": {
        "tr": "Hibe başvurularını ve kullanım raporlarını kendi başımıza hazırlayabiliyoruz.",
        "ar": "نستطيع إعداد طلبات المنح وتقارير استخدام التمويل بأنفسنا.",
        "ru": "Мы можем самостоятельно готовить заявки на гранты и отчёты об использовании средств.",
        "uk": "Ми можемо самостійно готувати заявки на гранти та звіти про використання коштів.",
    },
    "Wir haben Einnahmen über Förderprogramme hinaus (Spenden, Beiträge, Sponsoring).": {
        "tr": "Hibe programlarının dışında da gelirlerimiz var (bağışlar, aidatlar, sponsorluk).",
        "ar": "لدينا إيرادات إلى جانب برامج المنح (تبرعات، رسوم اشتراك، رعاية).",
        "ru": "У нас есть доходы помимо грантовых программ (пожертвования, членские взносы, спонсорство).",
        "uk": "У нас є доходи, крім грантових програм (пожертви, членські внески, спонсорство).",
    },
    "Wir haben ein gemeinsames Bild davon, wo wir als Verband in drei Jahren stehen wollen.": {
        "tr": "Federasyon olarak üç yıl sonra nerede olmak istediğimize dair ortak bir görüşümüz var.",
        "ar": "لدينا تصوّر مشترك لما نريد أن نكون عليه كاتحاد بعد ثلاث سنوات.",
        "ru": "У нас есть общее представление о том, где мы как федерация хотим быть через три года.",
        "uk": "У нас є спільне бачення того, де ми як федерація хочемо бути через три роки.",
    },
    "Wir setzen Schwerpunkte und überprüfen sie regelmäßig.": {
        "tr": "Öncelikler belirliyor ve bunları düzenli olarak gözden geçiriyoruz.",
        "ar": "نحدّد أولويات ونراجعها بانتظام.",
        "ru": "Мы расставляем приоритеты и регулярно их пересматриваем.",
        "uk": "Ми визначаємо пріоритети й регулярно їх переглядаємо.",
    },
    "Unser Vorstand und unser Team arbeiten an der Strategie gemeinsam.": {
        "tr": "Yönetim kurulumuz ve ekibimiz strateji üzerinde birlikte çalışıyor.",
        "ar": "يعمل مجلس إدارتنا وفريقنا معًا على الاستراتيجية.",
        "ru": "Наше правление и наша команда вместе работают над стратегией.",
        "uk": "Наше правління і наша команда разом працюють над стратегією.",
    },
    "Haupt- und Ehrenamtliche wissen, wer wofür zuständig ist.": {
        "tr": "Ücretli çalışanlarımız ve gönüllülerimiz kimin neden sorumlu olduğunu biliyor.",
        "ar": "يعرف الموظفون بأجر والمتطوعون لدينا مَن المسؤول عن كل مهمة.",
        "ru": "Наши штатные сотрудники и волонтёры знают, кто за что отвечает.",
        "uk": "Наші штатні працівники й волонтери знають, хто за що відповідає.",
    },
    "Neue Mitarbeitende und Ehrenamtliche werden gut eingearbeitet.": {
        "tr": "Yeni çalışanlara ve gönüllülere iyi bir oryantasyon sağlıyoruz.",
        "ar": "نُهيّئ الموظفين والمتطوعين الجدد جيدًا لمهامهم.",
        "ru": "Мы хорошо вводим новых сотрудников и волонтёров в курс дела.",
        "uk": "Ми добре вводимо нових працівників і волонтерів у курс справ.",
    },
    "Wissen bleibt bei uns, auch wenn Personen gehen.": {
        "tr": "Kişiler ayrılsa da bilgi bizde kalıyor.",
        "ar": "تبقى المعرفة لدينا حتى عندما يغادرنا أشخاص.",
        "ru": "Знания остаются у нас, даже когда люди уходят.",
        "uk": "Знання залишаються в нас, навіть коли люди йдуть.",
    },
    "Wir wissen, welche Botschaft wir nach außen senden wollen.": {
        "tr": "Dışarıya hangi mesajı vermek istediğimizi biliyoruz.",
        "ar": "نعرف الرسالة التي نريد توجيهها إلى الجمهور.",
        "ru": "Мы знаем, какое сообщение хотим транслировать вовне.",
        "uk": "Ми знаємо, яке повідомлення хочемо транслювати назовні.",
    },
    "Wir nutzen passende Kanäle (Website, soziale Medien, Presse) regelmäßig.": {
        "tr": "Uygun kanalları (web sitesi, sosyal medya, basın) düzenli olarak kullanıyoruz.",
        "ar": "نستخدم القنوات المناسبة (الموقع الإلكتروني، وسائل التواصل الاجتماعي، الصحافة) بانتظام.",
        "ru": "Мы регулярно используем подходящие каналы (сайт, социальные сети, пресса).",
        "uk": "Ми регулярно використовуємо відповідні канали (вебсайт, соціальні мережі, преса).",
    },
    "Wir erreichen die Menschen, für die wir arbeiten.": {
        "tr": "Uğruna çalıştığımız insanlara ulaşıyoruz.",
        "ar": "نصل إلى الناس الذين نعمل من أجلهم.",
        "ru": "Мы охватываем людей, ради которых работаем.",
        "uk": "Ми охоплюємо людей, заради яких працюємо.",
    },
    "Wir gewinnen regelmäßig neue Mitglieder.": {
        "tr": "Düzenli olarak yeni üyeler kazanıyoruz.",
        "ar": "نستقطب أعضاء جددًا بانتظام.",
        "ru": "Мы регулярно привлекаем новых членов.",
        "uk": "Ми регулярно залучаємо нових членів.",
    },
    "Unsere Mitglieder können sich aktiv beteiligen.": {
        "tr": "Üyelerimiz çalışmalarımıza aktif olarak katılabiliyor.",
        "ar": "يستطيع أعضاؤنا المشاركة بفاعلية.",
        "ru": "Наши члены могут активно участвовать в работе.",
        "uk": "Наші члени можуть активно долучатися до роботи.",
    },
    "Wir pflegen unsere Mitgliederdaten datenschutzgerecht und aktuell.": {
        "tr": "Üye verilerimizi güncel tutuyor ve gizlilik kurallarına uygun şekilde işliyoruz.",
        "ar": "نحافظ على بيانات أعضائنا محدّثة ووفقًا لقواعد حماية البيانات.",
        "ru": "Мы поддерживаем данные наших членов в актуальном состоянии и соблюдаем требования защиты данных.",
        "uk": "Ми підтримуємо дані наших членів в актуальному стані та дотримуємося вимог захисту даних.",
    },
    "Wir kennen die politischen Ansprechpersonen für unsere Themen.": {
        "tr": "Konularımızla ilgili siyasi muhatapları tanıyoruz.",
        "ar": "نعرف جهات الاتصال السياسية المعنية بقضايانا.",
        "ru": "Мы знаем, к кому в политике обращаться по нашим темам.",
        "uk": "Ми знаємо, до кого в політиці звертатися щодо наших тем.",
    },
    "Wir bringen unsere Anliegen und die unserer Mitglieder in die Politik ein.": {
        "tr": "Kendi taleplerimizi ve üyelerimizin taleplerini siyasete taşıyoruz.",
        "ar": "نوصل قضايانا وقضايا أعضائنا إلى صانعي القرار السياسي.",
        "ru": "Мы доносим наши запросы и запросы наших членов до политиков.",
        "uk": "Ми доносимо наші запити й запити наших членів до політиків.",
    },
    "Wir arbeiten mit anderen Organisationen in Bündnissen zusammen.": {
        "tr": "Diğer kuruluşlarla ittifaklar kurarak birlikte çalışıyoruz.",
        "ar": "نتعاون مع منظمات أخرى ضمن تحالفات.",
        "ru": "Мы сотрудничаем с другими организациями в рамках коалиций.",
        "uk": "Ми співпрацюємо з іншими організаціями в межах коаліцій.",
    },
}


def seed(apps, schema_editor):
    Statement = apps.get_model("organisations", "AssessmentStatement")
    for statement in Statement.objects.filter(text_de__in=STATEMENTS):
        changed = []
        for language, text in STATEMENTS[statement.text_de].items():
            if not getattr(statement, f"text_{language}"):
                setattr(statement, f"text_{language}", text)
                changed.append(f"text_{language}")
        if changed:
            statement.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0004_six_languages")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
