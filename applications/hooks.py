"""Hook points of applications for apps above it (assister_portal/lib/hooks.py explains the pattern)."""

from assister_portal.lib.hooks import Hook


def _application_submitted(*, application, determination) -> int:
    """An application was submitted and determined (called inside the transaction). A handler checks what
    the household attested against trusted data sources, opens verification requests for what it cannot
    confirm, and returns how many are open: any open request leaves the application waiting for documents
    (`pending_verification`). The verifications app registers its handler when it lands; until then
    nothing is open and the application is determined."""


application_submitted = Hook(_application_submitted)


def _special_enrollments(*, application) -> list:
    """The special enrollment periods open to this application's household (a list of
    `applications.periods.SpecialEnrollment`), asked when a plan is chosen outside open enrollment. The changes
    app registers its handler when it lands (issue 15: a reported change that qualifies opens one); until then
    there are none."""


special_enrollments = Hook(_special_enrollments)
