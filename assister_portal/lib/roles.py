"""The role decorator: a view that exists only for some roles (DESIGN §5, layer 1).

`assister_portal.lib` imports no app, so the roles are the caller's (`accounts.models.Role` values):

    @login_required
    @role_required(Role.CONSUMER)
    def my_assisters(request): ...

Anyone else, signed in or not, gets the same 404 as a page that does not exist (never a 403 that tells
them the page is there). Put it under `@login_required` so a visitor who is not signed in is sent to the
sign-in page first.
"""

from functools import wraps

from django.http import Http404


def role_required(*roles):
    """Only users whose `role` is one of `roles` reach the view; everyone else gets a 404."""
    if not roles:
        raise TypeError("role_required() needs at least one role")
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if getattr(request.user, "role", None) not in allowed:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
