from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self):
        from .cached_user import forget_user
        from .models import User

        post_save.connect(forget_user, sender=User, dispatch_uid="accounts.forget_user.save")
        post_delete.connect(forget_user, sender=User, dispatch_uid="accounts.forget_user.delete")
