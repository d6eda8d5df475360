"""Demo comment threads on the newest articles, some waiting for a moderator."""

import datetime
import random

from django.utils import timezone

from samizdat.newsroom.models import Article

from .models import Comment, Status

NAMES = {
    "be": ["Алесь", "Ганна", "Міхась", "Вольга", "Янка", "Зміцер", "Наста", "чытач з Гомеля"],
    "ru": ["Алексей", "Анна", "Михаил", "Ольга", "Иван", "Дмитрий", "Настя", "читатель"],
    "en": ["Alex", "Anna", "Michael", "Olga", "John", "Dmitry", "Nastia", "a reader"],
}
LINES = {
    "be": ["Дзякуй за матэрыял.", "А што кажуць самі жыхары?", "Добра, што пра гэта пішуць.",
           "Не згодны з аўтарам.", "Калі будзе працяг?", "Трымайцеся!",
           "Вось крыніца: https://example.org/report", "Так і ёсць, бачыў сам."],
    "ru": ["Спасибо за материал.", "А что говорят сами жители?", "Хорошо, что об этом пишут.",
           "Не согласен с автором.", "Когда будет продолжение?", "Держитесь!",
           "Вот источник: https://example.org/report", "Так и есть, видел сам."],
    "en": ["Thank you for this report.", "What do the residents themselves say?",
           "Good that someone writes about it.", "I disagree with the author.",
           "Will there be a follow-up?", "Stay strong!",
           "Here is the source: https://example.org/report", "True, I saw it myself."],
}


def create_comments(rng: random.Random, articles: int = 24) -> int:
    """Threads (two levels of replies) on each edition's newest articles."""
    made = 0
    newest = (Article.objects.published().select_related("edition")
              .order_by("-published_at")[:articles])
    for article in newest:
        if article.comments.exists():
            continue
        lang = article.edition.language if article.edition.language in LINES else "en"
        moment = article.published_at
        for _ in range(rng.randint(0, 4)):
            moment = min(moment + datetime.timedelta(minutes=rng.randint(3, 90)),
                         timezone.now())
            root = _comment(article, lang, rng, moment, None)
            made += 1
            for _ in range(rng.randint(0, 3)):
                moment = min(moment + datetime.timedelta(minutes=rng.randint(1, 30)),
                             timezone.now())
                _comment(article, lang, rng, moment, root)
                made += 1
    return made


def _comment(article, lang, rng, moment, parent):
    waiting = rng.random() < 0.15
    comment = Comment.objects.create(
        article=article, parent=parent, thread=parent, depth=1 if parent else 0,
        name=rng.choice(NAMES[lang]), body=" ".join(rng.sample(LINES[lang], rng.randint(1, 3))),
        client=f"{rng.getrandbits(128):032x}",
        status=Status.PENDING if waiting else Status.APPROVED,
        held_for="pre-moderation" if waiting else "")
    Comment.objects.filter(pk=comment.pk).update(created_at=moment)
    return comment
