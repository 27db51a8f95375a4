"""The fee boards' public addresses, ahead of Wagtail's catch-all.

* board.json and board.csv beside each board: Wagtail's serve pattern does not route a dot;
* the board and its sub-pages: found in one query, then served by Wagtail's own serve view.

Include before Wagtail's catch-all: ``path("", include("cms.urls"))``.
"""

from django.urls import path

from cms import views

urlpatterns = [
    path("boards/<slug:slug>/board.json", views.board_json, name="board-json"),
    path("boards/<slug:slug>/board.csv", views.board_csv_view, name="board-csv"),
    path("boards/<slug:slug>/", views.board_serve, name="board"),
    path("boards/<slug:slug>/<path:rest>", views.board_serve, name="board-subpage"),
]
