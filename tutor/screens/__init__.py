"""The tutor's screens: the course, a lesson, and the dialogs over them.

Their words come from the gettext catalogs through :func:`tutor.i18n.say`,
so switching the language changes the whole page.
"""
