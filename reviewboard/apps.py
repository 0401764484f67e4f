from django.apps import AppConfig


class ReviewboardConfig(AppConfig):
    name = "reviewboard"
    verbose_name = "Review board"

    def ready(self):
        from articles.selectors import register_approvers_source
        from reviewboard.selectors import approving_board_members_by_revision

        register_approvers_source(approving_board_members_by_revision)
        import reviewboard.intake.receivers  # noqa: F401  (connects the follow-up question receiver)
