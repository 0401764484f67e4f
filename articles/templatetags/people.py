"""``{{ user|person_name }}``: the one way templates name a person (articles.people)."""

from django import template

from articles.people import person_name as _person_name

register = template.Library()


@register.filter
def person_name(user) -> str:
    return _person_name(user)
