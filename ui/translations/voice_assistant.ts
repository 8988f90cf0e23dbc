<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>ChatView</name>
    <message>
        <location filename="../widgets/chat_view.py" line="265"/>
        <source>Start a conversation: type a message below and press Ctrl+Enter.
Everything stays on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="279"/>
        <source>Conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="288"/>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="289"/>
        <source>Write a message… (Ctrl+Enter sends, Esc stops)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="293"/>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="295"/>
        <source>Send message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="296"/>
        <source>Send (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="298"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="300"/>
        <source>Stop reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="301"/>
        <source>Stop the reply; the text so far is kept (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CloudPanel</name>
    <message>
        <location filename="../widgets/cloud_panel.py" line="75"/>
        <source>Use the cloud model for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="77"/>
        <source>Use the cloud for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="85"/>
        <source>Cloud endpoint URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="86"/>
        <source>https://api.example.com/v1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="89"/>
        <source>Cloud model name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="92"/>
        <location filename="../widgets/cloud_panel.py" line="114"/>
        <source>API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="94"/>
        <source>Leave empty to keep the stored key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="98"/>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="100"/>
        <source>Save cloud settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="102"/>
        <source>Not checked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="108"/>
        <source>What will be sent to the cloud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="112"/>
        <source>Endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="113"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="119"/>
        <source>Endpoint (any OpenAI-compatible server)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="123"/>
        <source>What will be sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="126"/>
        <source>Only the conversation&apos;s messages and the chosen tokens go out; your writing history and profile never do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="160"/>
        <source>Not set up: enter the endpoint and the model, then Save.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="197"/>
        <source>Pick a conversation (or send a first message) to choose for it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <location filename="../widgets/conversation_list.py" line="46"/>
        <source>Search conversations (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="47"/>
        <source>Search conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="57"/>
        <source>Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="71"/>
        <source>New</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="73"/>
        <source>New conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="74"/>
        <source>Start a new chat (Ctrl+N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="76"/>
        <location filename="../widgets/conversation_list.py" line="195"/>
        <source>Rename</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="78"/>
        <source>Rename conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="79"/>
        <source>Rename the selected conversation (F2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="81"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="83"/>
        <source>Delete conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="196"/>
        <source>Settings of this conversation…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="197"/>
        <source>Export as Markdown…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="198"/>
        <source>Export as JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="200"/>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationSettingsDialog</name>
    <message>
        <location filename="../widgets/conversation_settings.py" line="42"/>
        <source>Instructions for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="44"/>
        <source>Empty: the app&apos;s system prompt. For example: answer in German, briefly.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="48"/>
        <source>Personalization for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="49"/>
        <source>The app&apos;s choice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="56"/>
        <source>Temperature for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="61"/>
        <source>The app&apos;s ({0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="63"/>
        <source>0 always picks the likeliest word; higher is more varied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="67"/>
        <source>Reply length for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="70"/>
        <source>The app&apos;s ({0} tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="71"/>
        <source> tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="73"/>
        <source>These apply to this conversation only, and travel with it in an export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="77"/>
        <source>Instructions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="78"/>
        <source>Personalization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="79"/>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="80"/>
        <source>Reply length</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DraftPane</name>
    <message>
        <location filename="../widgets/draft_pane.py" line="49"/>
        <source>Draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="51"/>
        <source>Write here. Then ask for help with the buttons below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="63"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="65"/>
        <source>Stop writing the suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="73"/>
        <location filename="../widgets/draft_pane.py" line="111"/>
        <source>Suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="75"/>
        <source>The model&apos;s suggestion appears here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="77"/>
        <location filename="../widgets/draft_pane.py" line="79"/>
        <source>Use suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="81"/>
        <source>Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="83"/>
        <source>Discard suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="87"/>
        <location filename="../widgets/draft_pane.py" line="89"/>
        <source>Save as my writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="91"/>
        <source>Store this text in your writing history: your profile learns from it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="93"/>
        <location filename="../widgets/draft_pane.py" line="95"/>
        <source>New draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="265"/>
        <source>Not saved to your writing history yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HeadMap</name>
    <message>
        <location filename="../widgets/head_map.py" line="22"/>
        <source>Preference heads, layer by head</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <location filename="../widgets/history_panel.py" line="62"/>
        <source>Show samples from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="63"/>
        <source>All sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="67"/>
        <source>Import files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="69"/>
        <source>Import text files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="70"/>
        <source>Import .txt or .md files (or drop them here)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="75"/>
        <source>Writing samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="84"/>
        <source>Sample text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="85"/>
        <source>Pick a sample to read or edit it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="87"/>
        <source>Save changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="89"/>
        <source>Save changes to the sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="91"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="93"/>
        <source>Delete the sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="116"/>
        <source>Drop .txt or .md files here to add them to your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LiveMeters</name>
    <message>
        <location filename="../widgets/meters.py" line="25"/>
        <source>Reply speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="28"/>
        <source>How full the model&apos;s context is</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="66"/>
        <source>…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="57"/>
        <location filename="../main_window.py" line="58"/>
        <source>Voice Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="93"/>
        <source>Views</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="94"/>
        <source>Chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="95"/>
        <source>Draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="96"/>
        <source>Writing history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="97"/>
        <source>Personalization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="98"/>
        <source>Cloud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="99"/>
        <source>Other apps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="120"/>
        <location filename="../main_window.py" line="558"/>
        <source>Model: loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="143"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="144"/>
        <source>&amp;New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="148"/>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="153"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="157"/>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="158"/>
        <source>&amp;Find conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="162"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="163"/>
        <source>&amp;About</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="219"/>
        <location filename="../main_window.py" line="326"/>
        <source>Wait for the reply to finish first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="221"/>
        <source>Delete message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="221"/>
        <source>Delete this message?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="222"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="223"/>
        <source>Your own messages stay in your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="330"/>
        <source>Edit message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="331"/>
        <source>Send this instead. The conversation continues in a branch; the original stays as it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="335"/>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="587"/>
        <source>Model: not loaded yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageBubble</name>
    <message>
        <location filename="../widgets/chat_view.py" line="97"/>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="99"/>
        <source>Copy message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="103"/>
        <source>Regenerate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="105"/>
        <source>Regenerate reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="114"/>
        <source>Previous version of this reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="121"/>
        <source>Next version of this reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="126"/>
        <source>Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="128"/>
        <source>Edit message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="129"/>
        <source>Send it changed; the conversation continues in a branch and this one stays as it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="136"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="138"/>
        <source>Delete message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PersonalizationPanel</name>
    <message>
        <location filename="../widgets/personalization_panel.py" line="132"/>
        <source>Personalization method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="136"/>
        <source>Personalization strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="139"/>
        <source>0.00</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="146"/>
        <source>Use this strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="148"/>
        <source>Save the strength the preview shows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="155"/>
        <location filename="../widgets/personalization_panel.py" line="157"/>
        <source>Build profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="159"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="161"/>
        <source>Cancel building the profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="165"/>
        <source>Profile build progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="172"/>
        <source>What was learned about your writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="174"/>
        <source>After a build, a plain-words description of your writing appears here; you can edit it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="177"/>
        <location filename="../widgets/personalization_panel.py" line="179"/>
        <source>Save description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="188"/>
        <source>Prompt to preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="190"/>
        <source>Preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="194"/>
        <source>Answer one prompt with your profile off and on, side by side.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="199"/>
        <source>Reply with the profile off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="202"/>
        <source>Reply with the profile on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="204"/>
        <source>Preference heads (DPS), layer by head:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="208"/>
        <source>Method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="213"/>
        <source>Strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="214"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="219"/>
        <source>What was learned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="226"/>
        <source>Words and phrases most typical of you:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="229"/>
        <source>Fints: no reply yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="236"/>
        <source>See the difference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="244"/>
        <source>Off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="245"/>
        <source>On (marked: words your profile made likelier)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="428"/>
        <source>Writing both replies…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="436"/>
        <source>The preview did not finish.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="451"/>
        <source>{0}{1}: {2} word(s) marked, each made at least {3:.1f}× as likely by your profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="454"/>
        <source>{0}{1}: this method decodes by itself, so no words are marked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="457"/>
        <source>Not saved yet: “Use this strength” keeps it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="484"/>
        <source>Starting… (loading the models)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="497"/>
        <source>Cancelled; the previous profile is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="499"/>
        <source>The build failed; the previous profile is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="501"/>
        <source>Profile built; chat now uses it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ServePanel</name>
    <message>
        <location filename="../widgets/serve_panel.py" line="50"/>
        <source>Let apps on this computer write in my voice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="52"/>
        <source>Serve my voice to apps on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="54"/>
        <location filename="../widgets/serve_panel.py" line="240"/>
        <source>Off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="60"/>
        <source>Address for other apps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="65"/>
        <source>Access token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="66"/>
        <location filename="../widgets/serve_panel.py" line="120"/>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="70"/>
        <source>Copy token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="73"/>
        <source>New token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="75"/>
        <source>Apps using the old token stop working.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="77"/>
        <source>Keep their requests and replies as conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="83"/>
        <source>An OpenAI-compatible endpoint on 127.0.0.1 only. In an app&apos;s OpenAI settings, use the address as the base URL and the token as the API key; the model &apos;voice-assistant&apos; answers with your profile, &apos;voice-assistant:plain&apos; without. Your writing history never leaves this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="95"/>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="96"/>
        <source>Token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="97"/>
        <source>Other apps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="120"/>
        <source>Hide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="126"/>
        <source> Token copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="145"/>
        <source>Saved; it applies when the server starts again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="178"/>
        <source>Starting: loading the model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="186"/>
        <source>Stopping…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="217"/>
        <source>On: apps on this computer can use your voice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="227"/>
        <source>The server could not start ({0}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/serve_panel.py" line="245"/>
        <source>The server stopped unexpectedly (exit code {0}).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../widgets/settings_dialog.py" line="145"/>
        <location filename="../widgets/settings_dialog.py" line="146"/>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="161"/>
        <source>Model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="163"/>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="165"/>
        <source>Choose a model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="167"/>
        <location filename="../widgets/settings_dialog.py" line="169"/>
        <source>Use the embedded model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="173"/>
        <source>Models found on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="174"/>
        <source>Looking for models on this computer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="177"/>
        <source>GGUF files of this app, LM Studio, GPT4All, Jan and the Hugging Face cache. A model is used where it is; nothing is copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="187"/>
        <location filename="../widgets/settings_dialog.py" line="217"/>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="192"/>
        <source>Where the personalization methods run. Chat runs in llama.cpp, which uses the GPU when it was built with GPU support.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="196"/>
        <location filename="../widgets/settings_dialog.py" line="218"/>
        <source>Threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="203"/>
        <location filename="../widgets/settings_dialog.py" line="219"/>
        <source>Data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="206"/>
        <source>Everything the app stores lives here. Start with --home DIR or set ASSISTANT_HOME to use another folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="214"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="215"/>
        <source>Found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="220"/>
        <source>Model and performance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="226"/>
        <location filename="../widgets/settings_dialog.py" line="254"/>
        <source>System prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="231"/>
        <location filename="../widgets/settings_dialog.py" line="255"/>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="239"/>
        <location filename="../widgets/settings_dialog.py" line="256"/>
        <source>Reply length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="241"/>
        <location filename="../widgets/settings_dialog.py" line="248"/>
        <source> tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="245"/>
        <location filename="../widgets/settings_dialog.py" line="257"/>
        <source>Context size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="251"/>
        <source>How much of the conversation the model sees; capped at what the model was trained for. A change reloads the model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="259"/>
        <source>Defaults for every conversation; a conversation&apos;s own settings (its menu) win.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="264"/>
        <source>Replies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="268"/>
        <source>Export everything…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="270"/>
        <source>Export all data to an archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="272"/>
        <source>Import…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="274"/>
        <source>Import an archive or a ChatGPT export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="276"/>
        <source>Reset profile…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="278"/>
        <source>Reset the profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="280"/>
        <source>Delete all my data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="282"/>
        <source>Delete all data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="286"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="291"/>
        <source>Your data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="349"/>
        <location filename="../widgets/settings_dialog.py" line="419"/>
        <source>Checking the model file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="356"/>
        <source>No other GGUF models found on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="537"/>
        <source>Done.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
