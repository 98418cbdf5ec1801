"""Stable error codes of the resident registry (see core.errors.ErrorCode)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import ErrorCode


class RegistryError(ErrorCode):
    COMMUNITY_OR_DWELLING_REQUIRED = "registry.community_or_dwelling_required", _("须给出社区或房屋")
    COMMUNITY_NOT_FOUND = "registry.community_not_found", _("社区不存在或不在您的登记范围内")
    DWELLING_NOT_FOUND = "registry.dwelling_not_found", _("房屋不存在或不在您的辖区内")
    HOUSEHOLD_NOT_FOUND = "registry.household_not_found", _("该户不存在或不在您的辖区内")
    NAME_REQUIRED = "registry.name_required", _("须填写姓名（不超过50字）")
    BIRTH_DATE_MISMATCH = "registry.birth_date_mismatch", _("出生日期与证件号码不一致")
    BIRTH_DATE_IN_FUTURE = "registry.birth_date_in_future", _("出生日期晚于今天")
    BIRTH_DATE_TOO_EARLY = "registry.birth_date_too_early", _("出生日期早于1900年1月1日")
    CARE_TAG_UNKNOWN = "registry.care_tag_unknown", _("未知的关怀标签")
    DWELLING_OUTSIDE_COMMUNITY = "registry.dwelling_outside_community", _("住址不在该社区")
    HOUSEHOLD_OUTSIDE_COMMUNITY = "registry.household_outside_community", _("该户不属于本社区")
    ID_NUMBER_REGISTERED_HERE = "registry.id_number_registered_here", _("该证件号码已在本社区登记")
    ID_NUMBER_REGISTERED_ELSEWHERE = "registry.id_number_registered_elsewhere", _("该居民已在其他社区登记")
    ID_NUMBER_REGISTERED = "registry.id_number_registered", _("该证件号码已登记")
    DOCUMENT_REQUIRED = "registry.document_required", _("该证件类型须填写证件号码")
    DOCUMENT_UNEXPECTED = "registry.document_unexpected", _("证件类型为“无证件”时不能填写证件号码")
    DOCUMENT_FORMAT = "registry.document_format", _("证件号码格式错误")
    DOCUMENT_PREFIX = "registry.document_prefix", _("证件号码前缀与证件类型不符")
    DOCUMENT_REGION = "registry.document_region", _("证件号码地区码无效")
    DOCUMENT_BIRTH_DATE = "registry.document_birth_date", _("证件号码中的出生日期无效")
    DOCUMENT_CHECKSUM = "registry.document_checksum", _("证件号码校验位错误")
    DOCUMENT_TYPE_MISMATCH = "registry.document_type_mismatch", _("证件号码属于另一种证件类型")
    ID_TYPE_REQUIRED = "registry.id_type_required", _("须填写证件类型")
    ID_TYPE_UNKNOWN = "registry.id_type_unknown", _("未知的证件类型")
    SEARCH_ONE_NUMBER = "registry.search_one_number", _("精确查找须只给出证件号码或手机号码其中之一")
    SEARCH_USE_EXACT = "registry.search_use_exact", _("按证件号码或手机号码查找须使用精确查找")
    REVEAL_FIELD_UNKNOWN = "registry.reveal_field_unknown", _("未知的查看字段")
    REASON_CODE_INVALID = "registry.reason_code_invalid", _("须从列表中选择查看理由")
    REASON_DETAIL_LENGTH = "registry.reason_detail_length", _("理由说明的字数不在要求范围内")
    CONSENT_WITHDRAWN = "registry.consent_withdrawn", _("该居民已撤回同意，相关信息已隐藏")
    DISCLOSURE_LIMIT_REACHED = "registry.disclosure_limit_reached", _("今日查看次数已达上限")
