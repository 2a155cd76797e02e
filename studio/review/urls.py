from __future__ import annotations

from django.urls import path

from studio.review.views import actions, gallery, generation, share

app_name = "review"

urlpatterns = [
    path("", gallery.gallery, name="gallery"),
    path("g/<uuid:generation_id>/chain/", generation.chain, name="chain"),
    path("g/<uuid:generation_id>/comments/", actions.comment, name="comment"),
    path(
        "g/<uuid:generation_id>/comments/<int:comment_id>/resolve/",
        actions.resolve,
        name="resolve",
    ),
    path(
        "g/<uuid:generation_id>/comments/<int:comment_id>/delete/",
        actions.delete_comment,
        name="delete_comment",
    ),
    path("g/<uuid:generation_id>/approval/", actions.approval, name="approval"),
    path("g/<uuid:generation_id>/pick/", actions.pick, name="pick"),
    path("compare/", generation.compare, name="compare"),
    path("shares/", share.shares, name="shares"),
    path("shares/<int:share_id>/revoke/", share.share_revoke, name="share_revoke"),
    path("s/<str:token>/", share.shared, name="shared"),
    path("s/<str:token>/g/<uuid:generation_id>/", share.shared_item, name="shared_item"),
    path(
        "s/<str:token>/g/<uuid:generation_id>/comments/",
        share.shared_comment,
        name="shared_comment",
    ),
    path("s/<str:token>/files/<int:output_id>/", share.shared_file, name="shared_file"),
]
