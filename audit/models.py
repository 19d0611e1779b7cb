from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_OUT = "sign_out", _("Signed out")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_IN_BLOCKED = "sign_in_blocked", _("Sign-in refused while locked")
    LOCKOUT = "lockout", _("Locked after failed sign-ins")
    SESSION_EXPIRED = "session_expired", _("Signed out by the session time limit")
    MFA_ADDED = "mfa_added", _("Two-step verification method added")
    MFA_REMOVED = "mfa_removed", _("Two-step verification method removed")
    MFA_RESET = "mfa_reset", _("Recovery codes regenerated")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_SET = "password_set", _("Password set")
    PASSWORD_RESET = "password_reset", _("Password reset")
    ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
    ACCOUNT_ACCESS_CHANGED = "account_access_changed", _("Account's role, staff status or groups changed")
    ACCOUNT_UPDATED = "account_updated", _("Account details changed by staff")
    AGENCY_REGISTERED = "agency_registered", _("Agency registered")
    AGENCY_UPDATED = "agency_updated", _("Agency details changed")
    PROFILE_UPDATED = "profile_updated", _("Directory listing changed")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    MEMBER_REMOVED = "member_removed", _("Member removed from agency")
    AGREEMENT_SIGNED = "agreement_signed", _("Assister agreement signed")
    RENEWAL_STARTED = "renewal_started", _("Renewal started")
    CERTIFICATION_CHANGED = "certification_changed", _("Certification status changed")
    CERTIFICATION_CHECK_RECORDED = "certification_check", _("Certification check recorded")
    ASSISTER_ACCESS_CHANGED = "assister_access", _("Assister's access to clients changed")
    CLIENT_CREATED = "client_created", _("Client record created")
    CLIENT_CLAIMED = "client_claimed", _("Client account claimed")
    CLIENT_CLAIM_FAILED = "client_claim_failed", _("Failed attempt to claim a client account")
    CLIENT_VIEWED = "client_viewed", _("Client information viewed")
    CLIENT_LIST_VIEWED = "client_list_viewed", _("Client list viewed")
    CLIENT_ACTION = "client_action", _("Action taken for a client")
    CLIENT_LOOKUP_FAILED = "client_lookup_failed", _("Client not found from the details given")
    IDENTIFICATION_BLOCKED = "identification_blocked", _("Search for a client refused while paused")
    IDENTIFICATION_LOCKED = "identification_locked", _("Searching for clients paused after failed searches")
    CLIENT_PROFILE_DUPLICATE = "client_profile_duplicate", _("Own details refused: they match another client")
    OFFLINE_CONSENT_FLAGGED = "offline_consent_flagged", _("Unusually many consents recorded offline in a day")
    ASSOCIATION_REQUESTED = "association_requested", _("Assister asked to help")
    ASSOCIATION_STARTED = "association_started", _("Assister of record started")
    ASSOCIATION_CHANGED = "association_changed", _("Assister's powers or standing changed")
    ASSOCIATION_DECLINED = "association_declined", _("Request declined")
    ASSOCIATION_ENDED = "association_ended", _("Assister of record ended")
    NOTICE_VIEWED = "notice_viewed", _("Notice viewed")
    NOTICE_DOWNLOADED = "notice_downloaded", _("Notice downloaded")
    NOTICE_READ = "notice_read", _("Notice read by its recipient")
    NOTICE_FAILED = "notice_failed", _("Notice could not be prepared")
    NOTICE_RETRIED = "notice_retried", _("Notice sent to be prepared again")
    INVOICE_PAID = "invoice_paid", _("Invoice marked paid")
    PREFERENCES_CHANGED = "preferences_changed", _("Preferred language changed")
    APPLICATION_STARTED = "application_started", _("Application started")
    APPLICATION_SAVED = "application_saved", _("Application answers saved")
    APPLICATION_STATUS = "application_status", _("Application status changed")
    APPLICATION_REVIEW = "application_review", _("Application review requested or recorded")
    ENROLLMENT_SELECTED = "enrollment_selected", _("Plan selected")
    ENROLLMENT_STATUS = "enrollment_status", _("Enrollment ended or replaced")
    ENROLLMENT_DISPUTED = "enrollment_disputed", _("Consumer said they did not ask for a plan change")
    ENROLLMENT_DISPUTE_DECIDED = "enrollment_dispute_decided", _("Staff decided a disputed plan change")
    CHANGE_REPORTED = "change_reported", _("Change in circumstance reported")
    CHANGE_STATUS = "change_status", _("Change report reviewed, asked about, answered or processed")
    VERIFICATION_REQUESTED = "verification_requested", _("Documents asked for: attested data did not match")
    DOCUMENT_UPLOADED = "document_uploaded", _("Verification document uploaded")
    DOCUMENT_VIEWED = "document_viewed", _("Verification document viewed or downloaded")
    VERIFICATION_STATUS = "verification_status", _("Verification request accepted, rejected, extended or expired")
    FOLLOWUP_REMINDED = "followup_reminded", _("Reminder sent about an open item")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AuditEvent(models.Model):
    """One thing that happened, appended and never changed.

    A database trigger rejects UPDATE and DELETE on this table (migration 0002);
    `audit.services.audit_record` is the one way to write a row.
    """

    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # users are deactivated, never deleted, while their trail is kept
        related_name="+",
    )
    client = models.ForeignKey(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The client whose information this event read or changed, when it is not the actor's own.",
    )
    actor_label = models.CharField(max_length=254, blank=True, help_text="The email as typed or known at the time.")
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
            models.Index(fields=["client", "-at"], name="audit_client_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_label}"
