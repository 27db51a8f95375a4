"""The feedback app's addresses (full paths; included at the site root before Oscar's)."""

from django.urls import path

from feedback.complaints import desk
from feedback.complaints import views as complaints
from feedback.credit import views as credit
from feedback.ratings import views as ratings

app_name = "feedback"
urlpatterns = [
    path("shop/accounts/appointments/<int:pk>/rating/", ratings.rate, name="rate"),
    path("shop/accounts/complaints/", complaints.complaint_list, name="complaint-list"),
    path("shop/accounts/complaints/new/", complaints.complaint_new, name="complaint-new"),
    path(
        "shop/accounts/complaints/<int:pk>/", complaints.complaint_detail, name="complaint-detail"
    ),
    path(
        "shop/accounts/complaints/<int:pk>/<slug:action>/",
        complaints.complaint_act,
        name="complaint-act",
    ),
    path("desk/complaints/", desk.desk_list, name="desk-list"),
    path("desk/complaints/hotline/", desk.desk_hotline, name="desk-hotline"),
    path("desk/complaints/<int:pk>/", desk.desk_detail, name="desk-detail"),
    path("desk/complaints/<int:pk>/<slug:action>/", desk.desk_act, name="desk-act"),
    path("desk/reviews/", desk.desk_reviews, name="desk-reviews"),
    path("desk/reviews/<int:pk>/hide/", desk.desk_review_hide, name="desk-review-hide"),
    path("provider/ratings/", ratings.my_ratings, name="my-ratings"),
    path("credit/", credit.credit_explained, name="credit"),
    path("providers/<int:pk>/", credit.provider_page, name="provider"),
]
