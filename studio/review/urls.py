from __future__ import annotations

from django.urls import path

from studio.review.views import actions, export, gallery, generation, markers, share, stacks, trash

app_name = "review"

urlpatterns = [
    path("", gallery.gallery, name="gallery"),
    path("trash/", trash.trash_view, name="trash"),
    path("trash/selection/", trash.trash_selection, name="trash_selection"),
    path("g/<uuid:generation_id>/trash/", trash.trash_one, name="trash_one"),
    path("g/<uuid:generation_id>/restore/", trash.restore_one, name="restore_one"),
    path("g/<uuid:generation_id>/", generation.detail, name="generation"),
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
    path("g/<uuid:generation_id>/stack/start/", stacks.start, name="stack_start"),
    path("g/<uuid:generation_id>/stack/add/", stacks.add, name="stack_add"),
    path("g/<uuid:generation_id>/stack/remove/", stacks.remove, name="stack_remove"),
    path("g/<uuid:generation_id>/stack/current/", stacks.current, name="stack_current"),
    path("export.zip", export.download, name="export"),
    path(
        "g/<uuid:generation_id>/markers.<str:fmt>",
        markers.generation_markers,
        name="markers",
    ),
    path("export/timeline.otio", markers.timeline, name="export_timeline"),
    path("export/animatic.mp4", markers.animatic_mp4, name="export_animatic"),
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
