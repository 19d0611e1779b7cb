"""The directory keeps its listed dates through the hook it registers with certification at start-up."""

from certification import hooks
from directory.services import listings_refresh


def test_the_listings_hook_is_registered_once_at_start_up():
    assert hooks.listings_changed.handlers == (listings_refresh,)
