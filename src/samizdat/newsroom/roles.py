"""The newsroom's roles as groups, and the permissions each one holds."""

# Group name -> permission codenames as "app_label.codename"; "*" means every permission.
ROLES: dict[str, set[str] | str] = {
    "contributor": {
        "newsroom.add_article", "newsroom.change_article", "newsroom.view_article",
        "newsroom.view_section", "newsroom.view_tag", "newsroom.add_tag",
        "newsroom.view_author", "newsroom.view_revision",
        "newsroom.add_byline", "newsroom.change_byline", "newsroom.delete_byline",
        "newsroom.view_byline",
        *(f"photos.{verb}_{model}" for verb in ("add", "change", "view")
          for model in ("photo", "galleryitem")),
        "photos.delete_galleryitem",
    },
    "editor": {
        *(f"newsroom.{verb}_{model}"
          for verb in ("add", "change", "delete", "view")
          for model in ("article", "section", "tag", "author", "page", "sitesettings",
                        "socialaccount", "donationmethod", "articleredirect", "legacyredirect",
                        "byline")),
        *(f"photos.{verb}_{model}" for verb in ("add", "change", "delete", "view")
          for model in ("photo", "galleryitem")),
        "newsroom.publish_article", "newsroom.edit_any_article", "newsroom.view_revision",
        "comments.view_comment", "comments.change_comment", "comments.moderate_comment",
        "comments.view_ban", "comments.add_ban",
        # An article's Telegram choice and delivery; the channels are the administrators'.
        "telegram.add_post", "telegram.change_post", "telegram.view_post",
        "telegram.view_correction",
        # The newsletter's settings, the day's digest, the alert mark and the mailings; the
        # subscribers are the administrators'.
        *(f"newsletter.{verb}_{model}" for verb in ("add", "change", "view")
          for model in ("editionnewsletter", "digest", "digestitem", "articlealert")),
        "newsletter.view_send",
    },
    "moderator": {
        "comments.view_comment", "comments.change_comment", "comments.moderate_comment",
        "comments.view_ban", "comments.add_ban", "comments.change_ban", "comments.delete_ban",
        "comments.view_moderationsettings", "comments.change_moderationsettings",
        "comments.add_moderationsettings",
    },
    "administrator": "*",
}


def sync_roles(apps=None) -> None:
    """Create the role groups and give them exactly their permissions. Idempotent."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    everything = list(Permission.objects.all())
    for name, wanted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        if wanted == "*":
            perms = everything
        else:
            perms = [
                p for p in everything
                if f"{p.content_type.app_label}.{p.codename}" in wanted
            ]
        group.permissions.set(perms)
