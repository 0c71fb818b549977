"""A sector question gets its verdict first on every channel users meet: the website's chat API
(what the widget calls) and WeChat, both in front of the real bot (the staff shell: test_shell;
the REST bot: test_rasa_e2e). Only WeChat's own servers are a stand-in."""
import requests

from wechat_fakes import assert_text_reply, make_settings, new_openid, post_plain, start_gateway, text_xml


def chat(gateway_url, sender, message):
    resp = requests.post(f"{gateway_url}/api/chat", json={"sender": sender, "message": message}, timeout=60)
    resp.raise_for_status()
    return "\n".join(m["text"] for m in resp.json()["messages"] if m.get("text"))


def test_the_chat_api_gives_verdicts_in_both_languages(gateway_url):
    zh = chat(gateway_url, "verdict-zh", "外国公司可以在中国开办民办小学吗？")
    assert zh.startswith("结论：禁止外商投资。") and "第21项" in zh and "2024年11月1日" in zh
    en = chat(gateway_url, "verdict-en", "Can I open a private hospital as a foreign investor?")
    assert en.startswith("Verdict: restricted.") and "item 22" in en and "Hainan" in en
    # The follow-up "and in a free trade zone?" is answered from the FTZ list.
    chat(gateway_url, "verdict-ftz", "外资能开电影发行公司吗？")
    ftz = chat(gateway_url, "verdict-ftz", "那自贸区可以吗")
    assert ftz.startswith("结论（自贸试验区）：同样禁止。") and "第27项" in ftz


def test_wechat_gives_the_verdict_first(bot, api, tmp_path):
    server, blueprint = start_gateway(make_settings(bot.rasa_url, api.url, tmp_path, wechat_aes_key=""))
    try:
        openid = new_openid()
        content = assert_text_reply(post_plain(server.url + "/wechat",
                                               text_xml(openid, "外国公司可以在中国开办民办小学吗？")), openid)
        assert "结论：禁止外商投资。" in content and "第21项" in content
        openid = new_openid()
        content = assert_text_reply(post_plain(server.url + "/wechat", text_xml(
            openid, "What is the foreign-share cap for value-added telecom?")), openid)
        assert "Verdict: restricted." in content and "50 %" in content
    finally:
        blueprint.wechat_channel.shutdown()
        server.stop()
