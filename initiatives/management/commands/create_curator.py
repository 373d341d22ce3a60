"""Create a curator: a staff account in the Curators group, with a printed password."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

GROUP = "Curators"


class Command(BaseCommand):
    help = (
        "Create a curator account NAME (staff, in the Curators group) and print a one-time "
        "password to hand over; an existing NAME is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the login name of the new curator")
        parser.add_argument("--email", default="", help="their e-mail address (optional)")

    def handle(self, *args, name, email, **options):
        User = get_user_model()
        name = name.strip()
        try:
            User.username_validator(name)
        except ValidationError as exc:
            raise CommandError(
                _("用户名“%(name)s”无效：%(reason)s") % {"name": name, "reason": exc.messages[0]}
            ) from None
        if User.objects.filter(username__iexact=name).exists():
            raise CommandError(
                _("用户“%(name)s”已存在，未作改动。要重设其密码：manage.py changepassword %(name)s")
                % {"name": name}
            )
        group = Group.objects.filter(name=GROUP).first()
        if group is None:
            raise CommandError(_("没有 Curators 用户组：请先运行 manage.py migrate。"))
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            user = User.objects.create_user(name, email=email, password=password, is_staff=True)
            user.groups.add(group)
        self.stdout.write(
            _(
                "已创建审核员 %(name)s（Curators 组）。一次性密码：%(password)s\n"
                "请把密码当面或经安全渠道交给本人，并请其首次登录后在管理后台右上角“修改密码”。"
            )
            % {"name": name, "password": password}
        )
