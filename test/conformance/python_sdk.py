"""The emulator driven by a second official SDK: Alibaba Cloud's Python SDKs from PyPI.

The calls are those the orchestrator makes (activities/), plus the quarantine and identity calls of issue 13. Each
check asserts the answer; the last line says how many passed. Run by run-python-sdk.sh against an emulator it starts
(EMULATOR_URL, EMULATOR_FIXTURE); the emulator is reset first, so the demo fixture's world is what the checks expect.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import urllib.request
from typing import Callable

from alibabacloud_cs20151215 import models as cs_models
from alibabacloud_cs20151215.client import Client as CsClient
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi import models as openapi_models
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

URL = os.environ["EMULATOR_URL"]
FIXTURE = json.load(open(os.environ["EMULATOR_FIXTURE"], encoding="utf-8"))
ACCOUNT = FIXTURE["account"]["id"]
UID = {u["name"]: u["id"] for u in FIXTURE["users"]}
LEGACY_ROLE = "legacy-deploy-role"


def keys_of(user: str) -> tuple[str, str]:
    key = FIXTURE["users"][[u["name"] for u in FIXTURE["users"]].index(user)]["accessKeys"][0]
    return key["id"], key["secret"]


def config(user: str = "offboarding-bot") -> openapi_models.Config:
    key_id, secret = keys_of(user)
    return openapi_models.Config(
        access_key_id=key_id,
        access_key_secret=secret,
        endpoint=URL.removeprefix("http://"),
        protocol="http",
        region_id="cn-hangzhou",
    )


cs, ram, sts = CsClient(config()), RamClient(config()), StsClient(config())


def admin(method: str, path: str, body: dict | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{URL}/__emulator/{path}", data=data, method=method)
    req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req) as res:
        return json.loads(res.read())


def refused(call: Callable[[], object], code: str, status: int, kind: type = ClientException) -> None:
    """The call fails with the SDK exception `kind`, carrying `code` and the HTTP `status`."""
    try:
        call()
    except kind as err:
        assert err.code == code, f"code {err.code}, expected {code}"
        assert err.status_code == status, f"status {err.status_code}, expected {status}"
        return
    raise AssertionError(f"expected {code}, but the call succeeded")


def wait_for_task(task_id: str) -> cs_models.DescribeTaskInfoResponseBody:
    for _ in range(100):
        body = cs.describe_task_info(task_id).body
        if body.state != "running":
            return body
        time.sleep(0.02)
    raise AssertionError(f"task {task_id} still running")


def cert_states(uid: str) -> dict[str, str]:
    body = cs.list_user_kube_config_states(uid, cs_models.ListUserKubeConfigStatesRequest(page_size=100)).body
    return {s.cluster_id: s.cert_state for s in body.states}


# --- RAM: what the quarantine and deletion stages call ------------------------------------------------------------


def ram_reads() -> None:
    user = ram.get_user(ram_models.GetUserRequest(user_name="alice")).body.user
    assert user.user_id == UID["alice"], user.user_id
    keys = ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name="alice")).body.access_keys.access_key
    assert [k.status for k in keys] == ["Active"]
    used = ram.get_access_key_last_used(
        ram_models.GetAccessKeyLastUsedRequest(user_name="alice", user_access_key_id=keys[0].access_key_id)
    ).body.access_key_last_used
    assert used.last_used_date.endswith("Z")
    groups = ram.list_groups_for_user(ram_models.ListGroupsForUserRequest(user_name="alice")).body.groups.group
    assert [g.group_name for g in groups] == ["developers"]
    policies = ram.list_policies_for_user(ram_models.ListPoliciesForUserRequest(user_name="alice")).body
    assert "AliyunCSReadOnlyAccess" in [p.policy_name for p in policies.policies.policy]
    assert ram.get_user_mfainfo(ram_models.GetUserMFAInfoRequest(user_name="alice")).body.mfadevice.type == "VMFA"
    profile = ram.get_login_profile(ram_models.GetLoginProfileRequest(user_name="alice")).body.login_profile
    assert profile.user_name == "alice"
    users = ram.list_users(ram_models.ListUsersRequest(max_items=2)).body
    assert users.is_truncated is True and len(users.users.user) == 2
    refused(lambda: ram.get_user(ram_models.GetUserRequest(user_name="nobody")), "EntityNotExist.User", 404)


def access_keys_off_and_on() -> None:
    key_id = keys_of("alice")[0]
    for status in ("Inactive", "Active"):
        ram.update_access_key(
            ram_models.UpdateAccessKeyRequest(user_name="alice", user_access_key_id=key_id, status=status)
        )
        keys = ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name="alice")).body.access_keys.access_key
        assert keys[0].status == status, keys[0].status


def console_login_off_and_restored() -> None:
    ram.delete_login_profile(ram_models.DeleteLoginProfileRequest(user_name="alice"))
    refused(
        lambda: ram.get_login_profile(ram_models.GetLoginProfileRequest(user_name="alice")),
        "EntityNotExist.User.LoginProfile",
        404,
    )
    ram.create_login_profile(
        ram_models.CreateLoginProfileRequest(
            user_name="alice", password="Restored-Passw0rd", password_reset_required=True, mfabind_required=False
        )
    )
    profile = ram.get_login_profile(ram_models.GetLoginProfileRequest(user_name="alice")).body.login_profile
    # The SDK sends `PasswordResetRequired=True`: it must be read as true.
    assert profile.password_reset_required is True and profile.mfabind_required is False


def user_deleted_after_everything_is_removed() -> None:
    name = "alice"
    for policy in ("AliyunCSReadOnlyAccess", "AliyunOSSReadOnlyAccess"):
        ram.detach_policy_from_user(
            ram_models.DetachPolicyFromUserRequest(user_name=name, policy_name=policy, policy_type="System")
        )
    ram.remove_user_from_group(ram_models.RemoveUserFromGroupRequest(user_name=name, group_name="developers"))
    refused(lambda: ram.delete_user(ram_models.DeleteUserRequest(user_name=name)), "DeleteConflict.User.AccessKey", 409)
    ram.delete_access_key(ram_models.DeleteAccessKeyRequest(user_name=name, user_access_key_id=keys_of(name)[0]))
    ram.delete_login_profile(ram_models.DeleteLoginProfileRequest(user_name=name))
    ram.unbind_mfadevice(ram_models.UnbindMFADeviceRequest(user_name=name))
    ram.delete_user(ram_models.DeleteUserRequest(user_name=name))
    refused(lambda: ram.get_user(ram_models.GetUserRequest(user_name=name)), "EntityNotExist.User", 404)


def role_quarantined_and_deleted() -> None:
    role = ram.get_role(ram_models.GetRoleRequest(role_name=LEGACY_ROLE)).body.role
    assert json.loads(role.assume_role_policy_document)["Statement"][0]["Action"] == "sts:AssumeRole"
    deny_all = {"Version": "1", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    ram.create_policy(ram_models.CreatePolicyRequest(policy_name="deny-all", policy_document=json.dumps(deny_all)))
    refused(
        lambda: ram.create_policy(
            ram_models.CreatePolicyRequest(policy_name="deny-all", policy_document=json.dumps(deny_all))
        ),
        "EntityAlreadyExists.Policy",
        409,
    )
    got = ram.get_policy(ram_models.GetPolicyRequest(policy_name="deny-all", policy_type="Custom")).body
    assert json.loads(got.default_policy_version.policy_document) == deny_all
    attach = {"role_name": LEGACY_ROLE, "policy_name": "deny-all", "policy_type": "Custom"}
    ram.attach_policy_to_role(ram_models.AttachPolicyToRoleRequest(**attach))
    nobody = {"Version": "1", "Statement": [{"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"RAM": ["*"]}}]}
    updated = ram.update_role(
        ram_models.UpdateRoleRequest(role_name=LEGACY_ROLE, new_assume_role_policy_document=json.dumps(nobody))
    ).body.role
    assert json.loads(updated.assume_role_policy_document) == nobody
    listed = ram.list_policies_for_role(ram_models.ListPoliciesForRoleRequest(role_name=LEGACY_ROLE)).body
    names = [p.policy_name for p in listed.policies.policy]
    assert names == ["AliyunCSReadOnlyAccess", "deny-all"], names
    refused(lambda: ram.delete_role(ram_models.DeleteRoleRequest(role_name=LEGACY_ROLE)), "DeleteConflict.Role.Policy", 409)
    ram.detach_policy_from_role(ram_models.DetachPolicyFromRoleRequest(**attach))
    ram.detach_policy_from_role(
        ram_models.DetachPolicyFromRoleRequest(
            role_name=LEGACY_ROLE, policy_name="AliyunCSReadOnlyAccess", policy_type="System"
        )
    )
    ram.delete_role(ram_models.DeleteRoleRequest(role_name=LEGACY_ROLE))


def quarantined_user_denied_at_once() -> None:
    bob_cs = CsClient(config("bob"))
    bob_cs.describe_clusters_v1(cs_models.DescribeClustersV1Request())
    deny_all = {"Version": "1", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    ram.create_policy(ram_models.CreatePolicyRequest(policy_name="deny-bob", policy_document=json.dumps(deny_all)))
    ram.attach_policy_to_user(
        ram_models.AttachPolicyToUserRequest(user_name="bob", policy_name="deny-bob", policy_type="Custom")
    )
    refused(lambda: bob_cs.describe_clusters_v1(cs_models.DescribeClustersV1Request()), "StatusForbidden", 403)


def caller_identity() -> None:
    body = sts.get_caller_identity().body
    assert (body.identity_type, body.account_id, body.principal_id) == ("RAMUser", ACCOUNT, UID["offboarding-bot"])
    assert body.arn == f"acs:ram::{ACCOUNT}:user/offboarding-bot", body.arn


# --- CS: what revocation and verification call ------------------------------------------------------------------


def clusters_and_states() -> None:
    page = cs.describe_clusters_v1(cs_models.DescribeClustersV1Request(page_size=100, page_number=1)).body
    assert [c.cluster_id for c in page.clusters] == ["c-prod-1", "c-staging-1"]
    assert page.page_info.total_count == 2
    assert cert_states(UID["alice"]) == {"c-prod-1": "Unexpired", "c-staging-1": "Unexpired"}
    rows = cs.list_cluster_kubeconfig_states(
        "c-prod-1", cs_models.ListClusterKubeconfigStatesRequest(page_size=50, cloud_service_kube_config=False)
    ).body.states
    gone = [r for r in rows if r.account_state == "Deleted"]
    assert [r.account_name for r in gone] == ["former-contractor"], gone
    grants = cs.describe_user_permission(UID["alice"]).body
    assert sorted(g.resource_id for g in grants) == ["c-prod-1", "c-staging-1/payments"]


def clean_with_force_as_python_sends_it() -> None:
    # bob used c-prod-1 two days ago: refused without Force (Python sends `Force=False`), done with `Force=True`.
    refused(
        lambda: cs.clean_user_permissions(UID["bob"], cs_models.CleanUserPermissionsRequest(force=False)),
        "ErrorCleanPermissions.RecentAccess",
        400,
    )
    task = cs.clean_user_permissions(
        UID["bob"], cs_models.CleanUserPermissionsRequest(cluster_ids=["c-prod-1"], force=True)
    ).body
    assert wait_for_task(task.task_id).state == "success"
    assert cert_states(UID["bob"])["c-prod-1"] == "Removed"
    cs.clean_cluster_user_permissions(
        "c-staging-1", UID["alice"], cs_models.CleanClusterUserPermissionsRequest(force=True)
    )
    assert cert_states(UID["alice"]) == {"c-prod-1": "Unexpired", "c-staging-1": "Removed"}


def grants_restored() -> None:
    item = cs_models.GrantPermissionsRequestBody(cluster="c-prod-1", role_type="cluster", role_name="dev")
    cs.grant_permissions(UID["ci-deployer"], cs_models.GrantPermissionsRequest(body=[item]))
    grants = cs.describe_user_permission(UID["ci-deployer"]).body
    assert [(g.resource_id, g.role_type) for g in grants] == [("c-prod-1", "dev")]


def own_kubeconfig_revoked_and_reissued() -> None:
    alice = CsClient(config("alice"))
    alice.revoke_k8s_cluster_kube_config("c-prod-1")
    assert cert_states(UID["alice"])["c-prod-1"] == "Removed"
    issued = alice.describe_cluster_user_kubeconfig(
        "c-prod-1", cs_models.DescribeClusterUserKubeconfigRequest(private_ip_address=True, temporary_duration_minutes=30)
    ).body
    assert "server: https://192.168.0.1:6443" in issued.config


def throttled_beyond_the_quota() -> None:
    admin("POST", "options", {"quotas": {"GetUser": 2}})
    ram.get_user(ram_models.GetUserRequest(user_name="bob"))
    ram.get_user(ram_models.GetUserRequest(user_name="bob"))
    refused(lambda: ram.get_user(ram_models.GetUserRequest(user_name="bob")), "Throttling.User", 400, ThrottlingException)


CHECKS: list[Callable[[], None]] = [
    ram_reads,
    access_keys_off_and_on,
    console_login_off_and_restored,
    user_deleted_after_everything_is_removed,
    role_quarantined_and_deleted,
    quarantined_user_denied_at_once,
    caller_identity,
    clusters_and_states,
    clean_with_force_as_python_sends_it,
    grants_restored,
    own_kubeconfig_revoked_and_reissued,
    throttled_beyond_the_quota,
]


def main() -> int:
    passed = failed = 0
    for check in CHECKS:
        admin("POST", "reset")
        try:
            check()
        except Exception:  # noqa: BLE001 - every failure is reported, then the next check runs
            failed += 1
            print(f"FAIL {check.__name__}\n{traceback.format_exc()}", flush=True)
        else:
            passed += 1
            print(f"ok   {check.__name__}", flush=True)
    print(f"python-sdk: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
